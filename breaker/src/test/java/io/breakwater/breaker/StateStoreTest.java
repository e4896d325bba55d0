package io.breakwater.breaker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import io.breakwater.testsupport.LogLines;
import org.junit.jupiter.api.Test;

class StateStoreTest {

    /** A store in memory that says when it saved. */
    static final class MemoryStore implements BreakerStateStore {
        final Map<String, PersistedState> states = new ConcurrentHashMap<>();
        volatile CountDownLatch saved = new CountDownLatch(1);

        @Override
        public void save(String breaker, PersistedState state) {
            states.put(breaker, state);
            saved.countDown();
        }

        @Override
        public Optional<PersistedState> load(String breaker) {
            return Optional.ofNullable(states.get(breaker));
        }
    }

    /** A store whose server is down. */
    static final class BrokenStore implements BreakerStateStore {
        final CountDownLatch saveTried = new CountDownLatch(1);

        @Override
        public void save(String breaker, PersistedState state) throws Exception {
            saveTried.countDown();
            throw new java.net.ConnectException("Connection refused");
        }

        @Override
        public Optional<PersistedState> load(String breaker) throws Exception {
            throw new java.net.ConnectException("Connection refused");
        }
    }

    private final ManualClock clock = new ManualClock();

    // These stores answer at once: a long restore wait costs nothing, and a load thread slow to start on a loaded
    // machine does not leave a breaker unrestored.
    private CircuitBreaker breaker(BreakerStateStore store) {
        return CircuitBreaker.of(CircuitBreakerConfig.builder("orders").failureThreshold(1)
                .resetTimeout(Duration.ofSeconds(30)).stateStore(store).stateRestoreWait(Duration.ofSeconds(30))
                .clock(clock).build());
    }

    @Test
    void anOpenBreakerComesBackOpenWithItsRemainingTimeout() throws Exception {
        MemoryStore store = new MemoryStore();
        CircuitBreaker before = breaker(store);
        before.recordFailure("down");
        assertThat(store.saved.await(10, TimeUnit.SECONDS)).isTrue();
        Instant nextAttempt = before.snapshot().nextAttemptAt();

        clock.advance(Duration.ofSeconds(10)); // the application restarts
        CircuitBreaker after = breaker(store);
        assertThat(after.state()).isEqualTo(CircuitBreakerState.OPEN);
        assertThat(after.snapshot().nextAttemptAt()).isEqualTo(nextAttempt);
        assertThat(after.canExecute()).isFalse();
        clock.advance(Duration.ofSeconds(20));
        assertThat(after.canExecute()).isTrue();
        assertThat(after.state()).isEqualTo(CircuitBreakerState.HALF_OPEN);
    }

    @Test
    void stateOlderThanTheTtlIsIgnored() {
        MemoryStore store = new MemoryStore();
        store.states.put("orders", new PersistedState(CircuitBreakerState.FORCED_OPEN, clock.instant(), null, "by hand"));
        clock.advance(Duration.ofMinutes(59));
        assertThat(breaker(store).state()).isEqualTo(CircuitBreakerState.FORCED_OPEN);
        clock.advance(Duration.ofMinutes(2));
        assertThat(breaker(store).state()).isEqualTo(CircuitBreakerState.CLOSED);
    }

    @Test
    void withoutAnOpenUntilTheResetTimeoutCountsFromSince() {
        MemoryStore store = new MemoryStore();
        store.states.put("orders", new PersistedState(CircuitBreakerState.OPEN, clock.instant(), null, "5 failures"));
        clock.advance(Duration.ofSeconds(25));
        CircuitBreaker restored = breaker(store);
        assertThat(restored.snapshot().nextAttemptAt()).isEqualTo(clock.instant().plusSeconds(5));
    }

    // Reset timeout 10 s, doubled at each re-open.
    private CircuitBreaker backingOff(BreakerStateStore store) {
        return CircuitBreaker.of(CircuitBreakerConfig.builder("orders").failureThreshold(1)
                .resetTimeout(Duration.ofSeconds(10)).exponentialBackoff(2, Duration.ofMinutes(10))
                .stateStore(store).stateRestoreWait(Duration.ofSeconds(30)).clock(clock).build());
    }

    /** Waits out the breaker's OPEN and fails its trial: it re-opens, one level up. */
    private void trialFails(CircuitBreaker breaker, Duration open) {
        clock.advance(open);
        Permit trial = breaker.tryAcquirePermit();
        assertThat(trial).isNotNull();
        assertThat(trial.isTrial()).isTrue();
        breaker.recordFailure(trial, "still down");
        assertThat(breaker.state()).isEqualTo(CircuitBreakerState.OPEN);
    }

    @Test
    void anOpenBreakerComesBackAtItsBackoffLevel() {
        // Regression: a restored OPEN breaker began its backoff anew; after a failed trial it waited the reset timeout
        // again, not the wait its re-opens had grown to.
        MemoryStore store = new MemoryStore();
        CircuitBreaker before = backingOff(store);
        before.recordFailure("down");                       // OPEN for 10 s
        trialFails(before, Duration.ofSeconds(10));          // 20 s
        trialFails(before, Duration.ofSeconds(20));          // 40 s
        Instant nextAttempt = clock.instant().plusSeconds(40);
        assertThat(before.snapshot().nextAttemptAt()).isEqualTo(nextAttempt);
        await().atMost(Duration.ofSeconds(10)).until(() -> store.states.containsKey("orders")
                && store.states.get("orders").reopenCount() == 2);
        assertThat(store.states.get("orders").openUntil()).isEqualTo(nextAttempt);

        CircuitBreaker after = backingOff(store);            // the application restarts
        assertThat(after.snapshot().nextAttemptAt()).isEqualTo(nextAttempt);
        trialFails(after, Duration.ofSeconds(40));
        assertThat(after.snapshot().nextAttemptAt()).as("the wait doubled again").isEqualTo(clock.instant().plusSeconds(80));
    }

    @Test
    void withoutAnOpenUntilTheWaitAtTheSavedBackoffLevelCountsFromSince() {
        MemoryStore store = new MemoryStore();
        store.states.put("orders", new PersistedState(CircuitBreakerState.OPEN, clock.instant(), null, "trial failed", 2));
        clock.advance(Duration.ofSeconds(5));
        assertThat(backingOff(store).snapshot().nextAttemptAt()).isEqualTo(clock.instant().plusSeconds(35));
        // A store's absurd level (a hand-edited value) is taken as one far past the cap: no overflow at the next re-open.
        store.states.put("orders", new PersistedState(CircuitBreakerState.OPEN, clock.instant(), null, "", Integer.MAX_VALUE));
        CircuitBreaker absurd = backingOff(store);
        assertThat(absurd.snapshot().nextAttemptAt()).isEqualTo(clock.instant().plus(Duration.ofMinutes(10)));
        trialFails(absurd, Duration.ofMinutes(10));
        assertThat(absurd.snapshot().nextAttemptAt()).as("at the cap, not 1 ns").isEqualTo(clock.instant().plus(Duration.ofMinutes(10)));
        assertThatThrownBy(() -> new PersistedState(CircuitBreakerState.OPEN, clock.instant(), null, "", -1))
                .isInstanceOf(IllegalArgumentException.class).hasMessage("reopenCount must be >= 0, but was -1");
    }

    @Test
    void transitionsAreSaved() throws Exception {
        MemoryStore store = new MemoryStore();
        CircuitBreaker breaker = breaker(store);
        breaker.forceOpen();
        assertThat(store.saved.await(10, TimeUnit.SECONDS)).isTrue();
        assertThat(store.states.get("orders").state()).isEqualTo(CircuitBreakerState.FORCED_OPEN);
        assertThat(store.states.get("orders").reason()).isEqualTo("forced open by hand");
    }

    @Test
    void aBrokenStoreNeverBreaksTheBreakerAndIsCounted() throws Exception {
        BrokenStore store = new BrokenStore();
        CircuitBreaker breaker = breaker(store);
        assertThat(breaker.state()).isEqualTo(CircuitBreakerState.CLOSED);
        assertThat(breaker.storeErrors()).isEqualTo(1);
        breaker.recordFailure("down");
        assertThat(breaker.state()).isEqualTo(CircuitBreakerState.OPEN);
        assertThat(breaker.canExecute()).isFalse();
        assertThat(store.saveTried.await(10, TimeUnit.SECONDS)).isTrue();
        // The save runs on the store's thread; its failure is counted just after.
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> assertThat(breaker.storeErrors()).isEqualTo(2));
    }

    @Test
    void aStoreThatReturnsNullInsteadOfEmptyIsAStoreErrorNotACrash() {
        CircuitBreaker breaker = breaker(new BreakerStateStore() {
            @Override
            public void save(String name, PersistedState state) {
            }

            @Override
            public Optional<PersistedState> load(String name) {
                return null;
            }
        });
        assertThat(breaker.state()).isEqualTo(CircuitBreakerState.CLOSED);
        assertThat(breaker.storeErrors()).isEqualTo(1);
    }

    /** A store whose load answers only when the test says so. */
    static final class SlowStore implements BreakerStateStore {
        final CountDownLatch answer = new CountDownLatch(1);
        final CountDownLatch asked = new CountDownLatch(1);
        volatile PersistedState state;

        @Override
        public void save(String breaker, PersistedState s) {
        }

        @Override
        public Optional<PersistedState> load(String breaker) throws InterruptedException {
            asked.countDown();
            answer.await();
            return Optional.ofNullable(state);
        }
    }

    private CircuitBreaker slowBreaker(SlowStore store) {
        return CircuitBreaker.of(CircuitBreakerConfig.builder("orders").failureThreshold(1).resetTimeout(Duration.ofSeconds(30))
                .stateStore(store).stateRestoreWait(Duration.ofMillis(50)).clock(clock).build());
    }

    @Test
    void aSlowStoreDelaysTheCreationOfABreakerAtMostTheRestoreWait() {
        SlowStore store = new SlowStore();
        long start = System.nanoTime();
        CircuitBreaker breaker = slowBreaker(store);
        long tookMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
        store.answer.countDown();

        assertThat(breaker.state()).isEqualTo(CircuitBreakerState.CLOSED);
        assertThat(tookMillis).as("50 ms wait; a margin of 10x").isLessThan(500);
    }

    @Test
    void aLateAnswerIsAppliedAsATransitionWhenTheBreakerHasNotMoved() {
        SlowStore store = new SlowStore();
        store.state = new PersistedState(CircuitBreakerState.OPEN, clock.instant(), null, "5 failures");
        CircuitBreaker breaker = slowBreaker(store);
        List<StateTransition> seen = new CopyOnWriteArrayList<>();
        breaker.onTransition(seen::add);
        assertThat(breaker.state()).isEqualTo(CircuitBreakerState.CLOSED);

        store.answer.countDown();

        // Listeners hear a transition just after the state changes, here on the store's thread: wait for what they heard.
        await().atMost(Duration.ofSeconds(10)).until(() -> !seen.isEmpty());
        assertThat(breaker.state()).isEqualTo(CircuitBreakerState.OPEN);
        assertThat(seen).singleElement().satisfies(t -> {
            assertThat(t.sequence()).isEqualTo(1);
            assertThat(t.reason()).startsWith("restored OPEN");
        });
        breaker.reset();
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> assertThat(seen).hasSize(2));
        assertThat(seen.get(1).to()).isEqualTo(CircuitBreakerState.CLOSED);
    }

    @Test
    void aLateAnswerIsIgnoredWhenTheBreakerHasMovedMeanwhile() throws Exception {
        SlowStore store = new SlowStore();
        store.state = new PersistedState(CircuitBreakerState.FORCED_OPEN, clock.instant(), null, "by hand");
        CircuitBreaker breaker = slowBreaker(store);
        breaker.recordFailure("down");
        assertThat(breaker.state()).isEqualTo(CircuitBreakerState.OPEN);

        store.answer.countDown();
        SlowStore later = new SlowStore();
        slowBreaker(later); // its load waits on the one load thread behind ours
        try {
            assertThat(later.asked.await(10, TimeUnit.SECONDS)).as("our late answer was handled first").isTrue();
            assertThat(breaker.state()).isEqualTo(CircuitBreakerState.OPEN);
        } finally {
            later.answer.countDown(); // the load thread is the JVM's: free it for the tests after this one
        }
    }

    @Test
    void theRegistryHoldsNoLockWhileAStoreAnswers() throws Exception {
        SlowStore store = new SlowStore();
        CircuitBreakerRegistry registry = new CircuitBreakerRegistry();
        CircuitBreakerConfig slow = CircuitBreakerConfig.builder("x").stateStore(store).stateRestoreWait(Duration.ofSeconds(30))
                .clock(clock).build();
        Thread creator = new Thread(() -> registry.getOrCreate("slow", slow));
        creator.start();
        assertThat(store.asked.await(10, TimeUnit.SECONDS)).isTrue();

        CircuitBreaker other = registry.getOrCreate("other");
        registry.forEachBreaker(b -> { });

        assertThat(other.state()).isEqualTo(CircuitBreakerState.CLOSED);
        store.answer.countDown();
        creator.join(10_000);
        assertThat(creator.isAlive()).isFalse();
    }

    @Test
    void aBreakerFoundInTheRegistryWhileItIsRestoredIsHandedOutRestored() throws Exception {
        SlowStore store = new SlowStore();
        store.state = new PersistedState(CircuitBreakerState.OPEN, clock.instant(), null, "5 failures");
        CircuitBreakerRegistry registry = new CircuitBreakerRegistry();
        CircuitBreakerConfig config = CircuitBreakerConfig.builder("x").stateStore(store).stateRestoreWait(Duration.ofSeconds(10))
                .clock(clock).build();
        Thread creator = new Thread(() -> registry.getOrCreate("restoring", config));
        creator.start();
        assertThat(store.asked.await(10, TimeUnit.SECONDS)).isTrue();
        java.util.concurrent.CompletableFuture<CircuitBreakerState> seenBySecond = java.util.concurrent.CompletableFuture
                .supplyAsync(() -> registry.getOrCreate("restoring", config).state());

        store.answer.countDown();

        assertThat(seenBySecond.get(10, TimeUnit.SECONDS)).as("never the CLOSED it starts as").isEqualTo(CircuitBreakerState.OPEN);
        creator.join(10_000);
    }

    @Test
    void savesDroppedFromAFullQueueAreCounted() {
        SlowStore blocker = new SlowStore();
        CircuitBreaker blocked = CircuitBreaker.of(CircuitBreakerConfig.builder("blocker").stateStore(new BreakerStateStore() {
            @Override
            public void save(String breaker, PersistedState state) throws InterruptedException {
                blocker.answer.await();
            }

            @Override
            public Optional<PersistedState> load(String breaker) {
                return Optional.empty();
            }
        }).clock(clock).build());
        blocked.forceOpen(); // occupies the save thread until the test lets it go
        MemoryStore store = new MemoryStore();
        CircuitBreaker busy = breaker(store);
        try {
            for (int i = 0; i < 10_010; i++) {
                busy.forceOpen();
                busy.reset();
            }
            assertThat(busy.storeErrors()).as("20,020 saves into a queue of 10,000").isGreaterThan(0);
        } finally {
            blocker.answer.countDown();
        }
    }

    /** A store in memory that says it forgets a state {@code retention} after saving it. */
    static final class ForgetfulStore implements BreakerStateStore {
        private final Duration retention;

        ForgetfulStore(Duration retention) {
            this.retention = retention;
        }

        @Override
        public void save(String breaker, PersistedState state) {
        }

        @Override
        public Optional<PersistedState> load(String breaker) {
            return Optional.empty();
        }

        @Override
        public Optional<Duration> retention() {
            return Optional.of(retention);
        }

        @Override
        public String toString() {
            return "ForgetfulStore[" + retention + "]";
        }
    }

    @Test
    void aStoreThatForgetsStatesBeforeTheStateTtlIsWarnedOfOncePerStore() {
        LogLines log = LogLines.fromNow();
        ForgetfulStore tenMinutes = new ForgetfulStore(Duration.ofMinutes(10));
        for (String name : List.of("forgetful-a", "forgetful-b")) {   // stateTtl: 1 h by default
            CircuitBreaker.of(CircuitBreakerConfig.builder(name).stateStore(tenMinutes).clock(clock).build());
        }
        CircuitBreaker.of(CircuitBreakerConfig.builder("keeps-long-enough").stateStore(new ForgetfulStore(Duration.ofHours(1)))
                .clock(clock).build());

        assertThat(log.containing("its state store ForgetfulStore[PT10M] keeps a saved state for 600 s, less than the "
                + "breaker's stateTtl (3600 s)")).as("once for the store, naming the first breaker").hasSize(1)
                .allSatisfy(line -> assertThat(line).contains("'forgetful-a'"));
        assertThat(log.containing("keeps a saved state for")).hasSize(1);
    }
}
