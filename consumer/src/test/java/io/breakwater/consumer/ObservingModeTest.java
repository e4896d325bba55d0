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
    void inHalfOpenTheResourcesOwnTrialPermitsLimitTheTrialsAndItsRefusalHoldsTheLoopUntilTheBreakerMoves() {
        // The handler's resource answers its trials later (as an asynchronous write would): the breaker stays
        // HALF_OPEN with every trial permit held, so the resource refuses the fourth record and the loop backs off.
        List<io.breakwater.breaker.Permit> unanswered = new ArrayList<>();
        GatedConsumer<String, String> gated = f.builder().recordHandler(r -> {
            f.calls.add(r.partition() + "-" + r.offset());
            io.breakwater.breaker.Permit p = f.breaker.tryAcquirePermit();
            if (p == null) {
                throw f.breaker.openException();
            }
            unanswered.add(p);
        }).recordOutcomes(false).build();
        f.halfOpenWith(gated, 10);
        rounds(gated, 10);

        assertThat(f.breaker.state()).isEqualTo(CircuitBreakerState.HALF_OPEN);
        assertThat(f.calls).containsExactly("0-0", "0-1", "0-2", "0-3");
        assertThat(unanswered).hasSize(3);
        assertThat(f.consumer.paused()).containsExactly(P0);
        assertThat(f.committed(P0)).isEqualTo(3);
        unanswered.forEach(p -> f.breaker.recordSuccess(p, 1));
        rounds(gated, 3);

        assertThat(f.calls).hasSize(11).endsWith("0-3", "0-4", "0-5", "0-6", "0-7", "0-8", "0-9");
        assertThat(f.committed(P0)).isEqualTo(10);
    }

    @Test
    void aTrialRecordWhoseFailureDoesNotCountUsesUpNoTrialAndTheNextRecordsCloseTheBreaker() {
        Fixture lenient = new Fixture(b -> b.failureThreshold(1).resetTimeout(Duration.ofSeconds(10)).halfOpenMaxCalls(3)
                .successThreshold(3).ignoreExceptions(IllegalArgumentException.class));
        List<Long> failed = new ArrayList<>();
        GatedConsumer<String, String> gated = lenient.builder().recordHandler(r -> lenient.breaker.call(() -> {
            lenient.calls.add(r.partition() + "-" + r.offset());
            if (r.offset() == 0) {
                throw new IllegalArgumentException("duplicate key"); // as 23505: the guard frees its trial slot
            }
            return null;
        })).failedRecordHandler((r, e) -> failed.add(r.offset())).recordOutcomes(false).build();
        lenient.halfOpenWith(gated, 6);
        rounds(gated, 5);

        assertThat(failed).containsExactly(0L);
        assertThat(lenient.breaker.state()).isEqualTo(CircuitBreakerState.CLOSED);
        assertThat(lenient.calls).containsExactly("0-0", "0-1", "0-2", "0-3", "0-4", "0-5");
        assertThat(lenient.committed(P0)).isEqualTo(6);
        assertThat(lenient.consumer.paused()).isEmpty();
    }

    @Test
    void aBatchHandlerWritingEachTrialBatchInOneStatementStillClosesTheBreaker() {
        List<List<Long>> batches = new ArrayList<>();
        GatedConsumer<String, String> gated = f.builder().batchHandler(records -> f.breaker.call(() ->
                batches.add(records.stream().map(r -> r.offset()).toList()))).recordOutcomes(false).build();
        f.halfOpenWith(gated, 10);
        rounds(gated, 6);

        // halfOpenMaxCalls 3, successThreshold 3: three trial batches of three records, one success each.
        assertThat(batches).containsExactly(List.of(0L, 1L, 2L), List.of(3L, 4L, 5L), List.of(6L, 7L, 8L), List.of(9L));
        assertThat(f.breaker.state()).isEqualTo(CircuitBreakerState.CLOSED);
        assertThat(f.committed(P0)).isEqualTo(10);
        assertThat(gated.stats().trialRecords()).isEqualTo(9);
    }
}
