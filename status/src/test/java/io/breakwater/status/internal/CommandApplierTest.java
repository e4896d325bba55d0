package io.breakwater.status.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.breakwater.breaker.CircuitBreaker;
import io.breakwater.breaker.CircuitBreakerConfig;
import io.breakwater.breaker.CircuitBreakerState;
import io.breakwater.breaker.ManualClock;
import io.breakwater.breaker.PersistedState;
import io.breakwater.breaker.StateTransition;
import io.breakwater.status.ControlCommand;
import io.breakwater.status.ControlCommand.Action;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import org.junit.jupiter.api.Test;

/** How an instance follows the control topic's commands, on a clock the test moves; no broker. */
class CommandApplierTest {

    private final ManualClock clock = new ManualClock();
    private final CommandApplier applier = new CommandApplier("a", clock, () -> true);
    private final List<StateTransition> seen = new ArrayList<>();
    private final CircuitBreaker orders = breaker("orders");

    private CircuitBreaker breaker(String name) {
        CircuitBreaker b = CircuitBreaker.of(CircuitBreakerConfig.builder(name).clock(clock).build());
        b.onTransition(seen::add);
        return b;
    }

    private ControlCommand issue(Action action, String instance, Duration lasting) {
        ControlCommand c = ControlCommand.issue(action, "orders", instance, "alice", lasting, clock.instant());
        clock.advance(Duration.ofMillis(1));
        return c;
    }

    private void apply() {
        applier.apply(clock.instant());
    }

    @Test
    void aCommandIsAppliedOnceWithItsReason() {
        applier.attach(orders);
        ControlCommand force = issue(Action.FORCE_OPEN, null, null);
        applier.put(force);

        apply();
        orders.reset(); // someone resets it by hand: the same command is not applied again
        apply();

        assertThat(seen).extracting(StateTransition::reason).containsExactly(force.reason(), "reset by hand");
        assertThat(orders.state()).isEqualTo(CircuitBreakerState.CLOSED);
    }

    @Test
    void afterItsExpiryTheBreakerRunsOnItsOwnAgain() {
        applier.attach(orders);
        ControlCommand disable = issue(Action.DISABLE, null, Duration.ofMinutes(15));
        applier.put(disable);
        apply();
        assertThat(orders.state()).isEqualTo(CircuitBreakerState.DISABLED);

        clock.advance(Duration.ofMinutes(15).minusMillis(2));
        apply();
        assertThat(orders.state()).as("1 ms before the expiry").isEqualTo(CircuitBreakerState.DISABLED);
        clock.advance(Duration.ofMillis(1));
        apply();

        assertThat(orders.state()).isEqualTo(CircuitBreakerState.CLOSED);
        assertThat(seen.get(seen.size() - 1).reason()).isEqualTo(disable.id() + " expired");
    }

    @Test
    void anExpiryLeavesABreakerThatMovedSinceAlone() {
        applier.attach(orders);
        applier.put(issue(Action.FORCE_OPEN, null, Duration.ofMinutes(1)));
        apply();
        orders.disable(); // by hand, after the command
        clock.advance(Duration.ofMinutes(2));
        apply();
        assertThat(orders.state()).isEqualTo(CircuitBreakerState.DISABLED);
    }

    @Test
    void aCommandForThisInstanceAndOneForAllTheLatestWins() {
        applier.attach(orders);
        applier.put(issue(Action.FORCE_OPEN, null, null));
        apply();
        ControlCommand mine = issue(Action.RESET, "a", null);
        applier.put(mine);
        applier.put(issue(Action.DISABLE, "b", null)); // another instance's
        apply();
        assertThat(orders.state()).isEqualTo(CircuitBreakerState.CLOSED);
        assertThat(seen.get(seen.size() - 1).reason()).isEqualTo(mine.reason());

        ControlCommand allAgain = issue(Action.FORCE_OPEN, null, null);
        applier.put(allAgain);
        apply();
        assertThat(orders.state()).isEqualTo(CircuitBreakerState.FORCED_OPEN);
        assertThat(seen.get(seen.size() - 1).reason()).isEqualTo(allAgain.reason());
    }

    @Test
    void whenTheCommandForThisInstanceExpiresTheOneForAllHoldsAgain() {
        applier.attach(orders);
        applier.put(issue(Action.FORCE_OPEN, null, null));
        applier.put(issue(Action.DISABLE, "a", Duration.ofMinutes(5)));
        apply();
        assertThat(orders.state()).isEqualTo(CircuitBreakerState.DISABLED);
        clock.advance(Duration.ofMinutes(5));
        apply();
        assertThat(orders.state()).isEqualTo(CircuitBreakerState.FORCED_OPEN);
    }

    @Test
    void aWithdrawnCommandEnds() {
        applier.attach(orders);
        ControlCommand force = issue(Action.FORCE_OPEN, null, null);
        applier.put(force);
        apply();
        applier.remove(force.key());
        apply();
        assertThat(orders.state()).isEqualTo(CircuitBreakerState.CLOSED);
        assertThat(seen.get(seen.size() - 1).reason()).isEqualTo(force.id() + " was withdrawn");
    }

    @Test
    void aBreakerRestoredInTheStateOfAnExpiredCommandIsReset() {
        ControlCommand expired = issue(Action.FORCE_OPEN, null, Duration.ofMinutes(1));
        orders.forceOpen(expired.reason()); // as restored from the status topic at a restart
        clock.advance(Duration.ofMinutes(2));
        applier.put(expired);

        applier.attach(orders);
        apply();

        assertThat(orders.state()).isEqualTo(CircuitBreakerState.CLOSED);
    }

    @Test
    void aBreakerAttachedLaterObeysTheStandingCommand() {
        ControlCommand force = issue(Action.FORCE_OPEN, null, null);
        applier.put(force);
        apply();
        clock.advance(Duration.ofHours(1));

        CircuitBreaker late = breaker("orders");
        applier.attach(late);
        apply();

        assertThat(late.state()).isEqualTo(CircuitBreakerState.FORCED_OPEN);
        assertThat(seen.get(seen.size() - 1).reason()).isEqualTo(force.reason());
    }

    @Test
    void aDetachedBreakerNoLongerFollows() {
        Runnable detach = applier.attach(orders);
        detach.run();
        detach.run(); // idempotent
        applier.put(issue(Action.FORCE_OPEN, null, null));
        apply();
        assertThat(orders.state()).isEqualTo(CircuitBreakerState.CLOSED);
    }

    @Test
    void aCommandIsReadAtItsInstantNotTheReadersClock() {
        Instant issued = clock.instant();
        applier.attach(orders);
        applier.put(new ControlCommand(1, "c", Action.FORCE_OPEN, "orders", null, "alice", issued, issued.plusSeconds(60)));
        applier.apply(issued.plusSeconds(61));
        assertThat(orders.state()).as("expired when read").isEqualTo(CircuitBreakerState.CLOSED);
    }

    /** A breaker restored (from its state store) in {@code saved}; the store answers once {@code answer} opens. */
    private CircuitBreaker restored(PersistedState saved, CountDownLatch answer, Duration wait) {
        CircuitBreaker b = CircuitBreaker.of(CircuitBreakerConfig.builder("orders").clock(clock).stateRestoreWait(wait)
                .stateStore(new io.breakwater.breaker.BreakerStateStore() {
                    @Override
                    public void save(String breaker, PersistedState state) {
                    }

                    @Override
                    public Optional<PersistedState> load(String breaker) throws InterruptedException {
                        answer.await();
                        return Optional.of(saved);
                    }
                }).build());
        b.onTransition(seen::add);
        return b;
    }

    /**
     * A breaker restored in {@code saved} by a store that answers after the restore wait, once the applier has judged
     * it (the restore comes as a transition).
     */
    private CircuitBreaker restoredAfterItWasJudged(PersistedState saved) {
        CountDownLatch answer = new CountDownLatch(1);
        CircuitBreaker restarted = restored(saved, answer, Duration.ofMillis(1));
        applier.attach(restarted);
        apply();
        answer.countDown(); // the store answers after the breaker was judged
        return restarted;
    }

    @Test
    void aStandingResetLeavesABreakerRestoredOpenAfterItAlone() {
        applier.put(issue(Action.RESET, null, null));
        clock.advance(Duration.ofMinutes(10));
        PersistedState open = new PersistedState(CircuitBreakerState.OPEN, clock.instant(), null, "5 failures in a row");
        clock.advance(Duration.ofSeconds(1));
        CircuitBreaker restarted = restored(open, new CountDownLatch(0), Duration.ofSeconds(5));
        assertThat(restarted.state()).as("restored").isEqualTo(CircuitBreakerState.OPEN);

        Runnable detach = applier.attach(restarted);
        apply();
        detach.run();
        applier.attach(restarted); // attached again, as after a restart of its producer
        apply();

        assertThat(restarted.state()).isEqualTo(CircuitBreakerState.OPEN);
    }

    @Test
    void aResetIssuedAfterARestoredStateResetsIt() {
        PersistedState open = new PersistedState(CircuitBreakerState.OPEN, clock.instant(), null, "5 failures in a row");
        clock.advance(Duration.ofSeconds(1));
        ControlCommand reset = issue(Action.RESET, null, null);
        applier.put(reset);
        CircuitBreaker restarted = restored(open, new CountDownLatch(0), Duration.ofSeconds(5));

        applier.attach(restarted);

        assertThat(restarted.state()).isEqualTo(CircuitBreakerState.CLOSED);
        assertThat(seen.get(seen.size() - 1).reason()).isEqualTo(reset.reason());
    }

    @Test
    void aBreakerAttachedOnceTheTopicIsReadFollowsTheStandingCommandBeforeAttachReturns() {
        ControlCommand force = issue(Action.FORCE_OPEN, null, null);
        applier.put(force);
        clock.advance(Duration.ofHours(1));

        applier.attach(orders); // no apply: the first call after this must be refused already

        assertThat(orders.state()).isEqualTo(CircuitBreakerState.FORCED_OPEN);
    }

    @Test
    void aBreakerAttachedBeforeTheTopicIsReadWaitsForTheRead() {
        CommandApplier reading = new CommandApplier("a", clock, () -> false);
        reading.put(issue(Action.FORCE_OPEN, null, null));
        reading.attach(orders);
        assertThat(orders.state()).isEqualTo(CircuitBreakerState.CLOSED);
    }

    @Test
    void aLateRestoreIntoTheStateOfAnExpiredCommandIsUndone() {
        ControlCommand expired = issue(Action.FORCE_OPEN, null, Duration.ofMinutes(1));
        PersistedState forced = new PersistedState(CircuitBreakerState.FORCED_OPEN, clock.instant(), null, expired.reason());
        clock.advance(Duration.ofMinutes(2));
        applier.put(expired);
        CircuitBreaker restarted = restoredAfterItWasJudged(forced);

        await().atMost(Duration.ofSeconds(10)).until(() -> seen.size() == 2);
        assertThat(seen).extracting(StateTransition::to)
                .containsExactly(CircuitBreakerState.FORCED_OPEN, CircuitBreakerState.CLOSED);
        assertThat(seen.get(1).reason()).isEqualTo(expired.id() + " no longer holds");
    }

    @Test
    void aBreakerRestoredInTheStateOfACommandWithdrawnMeanwhileIsReset() {
        ControlCommand force = issue(Action.FORCE_OPEN, null, null);
        PersistedState forced = new PersistedState(CircuitBreakerState.FORCED_OPEN, clock.instant(), null, force.reason());
        applier.put(force);
        applier.remove(force.key()); // the tombstone, read at the start
        CircuitBreaker restarted = restored(forced, new CountDownLatch(0), Duration.ofSeconds(5));
        assertThat(restarted.state()).as("restored").isEqualTo(CircuitBreakerState.FORCED_OPEN);

        applier.attach(restarted);
        apply();

        assertThat(restarted.state()).isEqualTo(CircuitBreakerState.CLOSED);
        assertThat(seen.get(seen.size() - 1).reason()).isEqualTo(force.id() + " was withdrawn");
    }

    /**
     * A rolling deploy after a force-open: the clean stop published "stopped" (FORCED_OPEN), the command then
     * expired, and the bus's new stream breaker is attached before its registry restores it. The store answers
     * within the restore wait (no transition), after the watchdog's first tick: the breaker is judged once its state
     * is in, and reset, though the restored reason names no command.
     */
    @Test
    void aRestoreWithinItsWaitThatLandsAfterTheFirstTickIsJudgedStillAndTheStateOfAnExpiredCommandEnds()
            throws Exception {
        ControlCommand expired = issue(Action.FORCE_OPEN, null, Duration.ofMinutes(15));
        clock.advance(Duration.ofSeconds(1));
        PersistedState stopped = new PersistedState(CircuitBreakerState.FORCED_OPEN, clock.instant(), null, "stopped");
        clock.advance(Duration.ofMinutes(20));
        applier.put(expired);
        CountDownLatch answer = new CountDownLatch(1);
        io.breakwater.breaker.CircuitBreakerRegistry registry = new io.breakwater.breaker.CircuitBreakerRegistry();
        registry.forEachBreaker(applier::attach);
        CircuitBreakerConfig config = CircuitBreakerConfig.builder("orders").clock(clock)
                .stateRestoreWait(Duration.ofSeconds(30)).stateStore(new io.breakwater.breaker.BreakerStateStore() {
                    @Override
                    public void save(String breaker, PersistedState state) {
                    }

                    @Override
                    public Optional<PersistedState> load(String breaker) throws InterruptedException {
                        answer.await();
                        return Optional.of(stopped);
                    }
                }).build();
        java.util.concurrent.CompletableFuture<CircuitBreaker> created =
                java.util.concurrent.CompletableFuture.supplyAsync(() -> registry.getOrCreate("orders", config));
        await().atMost(Duration.ofSeconds(10)).until(() -> registry.get("orders").isPresent());
        CircuitBreaker restarted = registry.get("orders").orElseThrow();
        apply();   // the watchdog's first tick, while the registry still waits for the store

        answer.countDown();
        created.get(10, java.util.concurrent.TimeUnit.SECONDS);
        assertThat(restarted.state()).as("restored without a transition").isEqualTo(CircuitBreakerState.FORCED_OPEN);
        apply();

        assertThat(restarted.state()).isEqualTo(CircuitBreakerState.CLOSED);
    }

    /** The same, when the store answers after the wait (a transition), with the reason of a clean stop. */
    @Test
    void aLateRestoreOfACleanStopIntoTheStateOfAnExpiredCommandIsUndone() {
        ControlCommand expired = issue(Action.FORCE_OPEN, null, Duration.ofMinutes(15));
        clock.advance(Duration.ofSeconds(1));
        PersistedState stopped = new PersistedState(CircuitBreakerState.FORCED_OPEN, clock.instant(), null, "stopped");
        clock.advance(Duration.ofMinutes(20));
        applier.put(expired);
        CircuitBreaker restarted = restoredAfterItWasJudged(stopped);

        await().atMost(Duration.ofSeconds(10)).until(() -> seen.size() == 2);
        assertThat(seen).extracting(StateTransition::to)
                .containsExactly(CircuitBreakerState.FORCED_OPEN, CircuitBreakerState.CLOSED);
        assertThat(seen.get(1).reason()).isEqualTo(expired.id() + " no longer holds");
    }

    /** A force-open of the application's own, begun after the last command ended, is restored and left alone. */
    @Test
    void aLateRestoreOfAForceOpenBegunAfterTheCommandExpiredIsKept() {
        ControlCommand expired = issue(Action.FORCE_OPEN, null, Duration.ofMinutes(15));
        clock.advance(Duration.ofMinutes(30));
        PersistedState own = new PersistedState(CircuitBreakerState.FORCED_OPEN, clock.instant(), null, "stopped");
        clock.advance(Duration.ofMinutes(1));
        applier.put(expired);
        CircuitBreaker restarted = restoredAfterItWasJudged(own);

        await().atMost(Duration.ofSeconds(10)).until(() -> seen.size() == 1);
        apply();
        assertThat(restarted.state()).isEqualTo(CircuitBreakerState.FORCED_OPEN);
        assertThat(seen).hasSize(1);
    }

    /**
     * A flapping breaker opens again by itself a moment after a force-open was issued, before the follower applies it:
     * the command holds over the breaker's own moves (it was dropped for good). A state set by hand since is left alone.
     */
    @Test
    void aForceOpenHoldsOverABreakerThatOpenedByItselfAfterItWasIssued() {
        applier.attach(orders);
        ControlCommand force = issue(Action.FORCE_OPEN, null, null);
        clock.advance(Duration.ofMillis(300));
        orders.recordFailure(new java.io.IOException("down"));   // opens, after the command was issued
        for (int i = 0; i < 10 && orders.state() == CircuitBreakerState.CLOSED; i++) {
            orders.recordFailure(new java.io.IOException("down"));
        }
        assertThat(orders.state()).isEqualTo(CircuitBreakerState.OPEN);
        applier.put(force);

        apply();

        assertThat(orders.state()).isEqualTo(CircuitBreakerState.FORCED_OPEN);
        assertThat(seen.get(seen.size() - 1).reason()).isEqualTo(force.reason());

        CircuitBreaker other = breaker("orders-2");
        ControlCommand disable = ControlCommand.issue(Action.DISABLE, "orders-2", null, "alice", null, clock.instant());
        clock.advance(Duration.ofMillis(1));
        other.forceOpen("by hand");
        applier.attach(other);
        applier.put(disable);
        apply();
        assertThat(other.state()).as("set by hand after the command").isEqualTo(CircuitBreakerState.FORCED_OPEN);
    }

    /** A force-open extended by a second one (which moved nothing): the state began before the second was issued. */
    @Test
    void aLateRestoreOfACleanStopAfterAnExtendedForceOpenExpiredIsUndone() {
        ControlCommand first = issue(Action.FORCE_OPEN, null, Duration.ofMinutes(10));
        clock.advance(Duration.ofSeconds(1));
        PersistedState stopped = new PersistedState(CircuitBreakerState.FORCED_OPEN, clock.instant(), null, "stopped");
        clock.advance(Duration.ofMinutes(5));
        ControlCommand extended = issue(Action.FORCE_OPEN, null, Duration.ofMinutes(30));
        clock.advance(Duration.ofMinutes(35));   // past the extension, within the state's time to live (an hour)
        applier.put(first);
        applier.put(extended);
        CircuitBreaker restarted = restoredAfterItWasJudged(stopped);

        await().atMost(Duration.ofSeconds(10)).until(() -> seen.size() == 2);
        assertThat(restarted.state()).isEqualTo(CircuitBreakerState.CLOSED);
        assertThat(seen.get(1).reason()).isEqualTo(extended.id() + " no longer holds");
    }

    /** A reset replaced the force-open while the instance was down: the reset applies to the older state. */
    @Test
    void aLateRestoreOfACleanStopIsResetByTheResetThatReplacedTheCommand() {
        ControlCommand force = issue(Action.FORCE_OPEN, null, null);
        clock.advance(Duration.ofSeconds(1));
        PersistedState stopped = new PersistedState(CircuitBreakerState.FORCED_OPEN, clock.instant(), null, "stopped");
        clock.advance(Duration.ofMinutes(5));
        ControlCommand reset = issue(Action.RESET, null, null);
        applier.put(force);
        applier.put(reset);   // the same key: it replaces the force-open
        CircuitBreaker restarted = restoredAfterItWasJudged(stopped);

        await().atMost(Duration.ofSeconds(10)).until(() -> seen.size() == 2);
        assertThat(restarted.state()).isEqualTo(CircuitBreakerState.CLOSED);
        assertThat(seen.get(1).reason()).isEqualTo(reset.reason());
    }
}
