package io.breakwater.breaker;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
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

    private CircuitBreaker breaker(BreakerStateStore store) {
        return CircuitBreaker.of(CircuitBreakerConfig.builder("orders").failureThreshold(1)
                .resetTimeout(Duration.ofSeconds(30)).stateStore(store).clock(clock).build());
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
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (breaker.storeErrors() < 2 && System.nanoTime() < deadline) {
            Thread.onSpinWait(); // the save runs on the store's thread; its failure is counted just after
        }
        assertThat(breaker.storeErrors()).isEqualTo(2);
    }
}
