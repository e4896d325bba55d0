package io.breakwater.status.internal;

import static org.assertj.core.api.Assertions.assertThat;

import io.breakwater.breaker.CircuitBreaker;
import io.breakwater.breaker.CircuitBreakerConfig;
import io.breakwater.breaker.CircuitBreakerState;
import io.breakwater.breaker.ManualClock;
import io.breakwater.breaker.StateTransition;
import io.breakwater.status.ControlCommand;
import io.breakwater.status.ControlCommand.Action;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** How an instance follows the control topic's commands, on a clock the test moves; no broker. */
class CommandApplierTest {

    private final ManualClock clock = new ManualClock();
    private final CommandApplier applier = new CommandApplier("a");
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
}
