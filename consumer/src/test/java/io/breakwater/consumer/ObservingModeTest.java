package io.breakwater.consumer;

import static io.breakwater.consumer.Fixture.P0;
import static io.breakwater.consumer.Fixture.rounds;
import static org.assertj.core.api.Assertions.assertThat;

import io.breakwater.breaker.CircuitBreakerState;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * recordOutcomes(false): the handler's own resource records into the breaker (as a guarded DataSource does); the
 * loop only reads the state, and starts at most the permitted trial records in HALF_OPEN.
 */
class ObservingModeTest {

    private final Fixture f = new Fixture();
    private final List<CircuitBreakerState> statesSeen = new ArrayList<>();
    private boolean down;

    /** A handler whose "database call" goes through the breaker itself. */
    private RecordHandler<String, String> guardedWrite() {
        return r -> {
            statesSeen.add(f.breaker.state());
            f.breaker.call(() -> {
                f.calls.add(r.partition() + "-" + r.offset());
                if (down) {
                    throw new IOException("connection refused");
                }
                return null;
            });
        };
    }


    @Test
    void theLoopRecordsNothingItselfSoEachCallCountsOnce() {
        GatedConsumer<String, String> gated = f.builder().recordHandler(guardedWrite()).recordOutcomes(false).build();
        gated.runOnce();
        f.assign(P0);
        f.produce(P0, 5);
        rounds(gated, 2);

        assertThat(f.breaker.callStats().successful()).isEqualTo(5);
        assertThat(f.committed(P0)).isEqualTo(5);
    }

    @Test
    void theLoopPausesWhenTheHandlersResourceOpensTheBreakerAndStartsOnlyThePermittedTrials() {
        GatedConsumer<String, String> gated = f.builder().recordHandler(guardedWrite()).recordOutcomes(false).build();
        gated.runOnce();
        f.assign(P0);
        f.produce(P0, 10);
        down = true;
        rounds(gated, 3);

        assertThat(f.breaker.state()).isEqualTo(CircuitBreakerState.OPEN);
        assertThat(f.calls).containsExactly("0-0");
        assertThat(f.consumer.paused()).containsExactly(P0);
        assertThat(f.breaker.callStats().failed()).isEqualTo(1);
        down = false;
        statesSeen.clear();
        f.clock.advance(Duration.ofSeconds(10));
        rounds(gated, 3);

        assertThat(statesSeen.subList(0, 3)).containsOnly(CircuitBreakerState.HALF_OPEN);
        assertThat(statesSeen.subList(3, statesSeen.size())).containsOnly(CircuitBreakerState.CLOSED);
        assertThat(gated.stats().trialRecords()).isEqualTo(3);
        assertThat(f.committed(P0)).isEqualTo(10);
    }

    @Test
    void inHalfOpenTheLoopStopsAtTheBreakersTrialCountEvenWhenTrialsStayUnanswered() {
        // The handler's resource answers its trials later (as an asynchronous write would): the breaker stays
        // HALF_OPEN, and the loop must not start a fourth trial record.
        List<io.breakwater.breaker.Permit> unanswered = new ArrayList<>();
        GatedConsumer<String, String> gated = f.builder().recordHandler(r -> {
            f.calls.add(r.partition() + "-" + r.offset());
            io.breakwater.breaker.Permit p = f.breaker.tryAcquirePermit();
            if (p == null) {
                throw f.breaker.openException();
            }
            unanswered.add(p);
        }).recordOutcomes(false).build();
        gated.runOnce();
        f.assign(P0);
        f.produce(P0, 10);
        f.breaker.recordFailure(new IOException("down"));
        f.clock.advance(Duration.ofSeconds(10));
        rounds(gated, 10);

        assertThat(f.breaker.state()).isEqualTo(CircuitBreakerState.HALF_OPEN);
        assertThat(f.calls).containsExactly("0-0", "0-1", "0-2");
        assertThat(f.consumer.paused()).containsExactly(P0);
        unanswered.forEach(p -> f.breaker.recordSuccess(p, 1));
        rounds(gated, 3);

        assertThat(f.calls).hasSize(10);
    }
}
