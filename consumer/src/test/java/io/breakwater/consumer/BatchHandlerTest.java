package io.breakwater.consumer;

import static io.breakwater.consumer.Fixture.P0;
import static io.breakwater.consumer.Fixture.P1;
import static io.breakwater.consumer.Fixture.rounds;
import static org.assertj.core.api.Assertions.assertThat;

import io.breakwater.breaker.CircuitBreakerState;
import java.io.IOException;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;

/** A batch handler behind the gate: one call per poll, trial batches, and the one-record fallback. */
class BatchHandlerTest {

    private final List<List<String>> batches = new CopyOnWriteArrayList<>();


    private BatchHandler<String, String> recording(Fixture f, java.util.function.Predicate<List<String>> fails,
                                                   java.util.function.Supplier<Exception> failure) {
        return records -> {
            List<String> ids = records.stream().map(r -> r.partition() + "-" + r.offset()).toList();
            batches.add(ids);
            if (fails.test(ids)) {
                throw failure.get();
            }
        };
    }

    @Test
    void eachPollIsOneBatchInOffsetOrderAndItsOffsetsAreCommitted() {
        Fixture f = new Fixture();
        GatedConsumer<String, String> gated = f.builder().batchHandler(recording(f, ids -> false, null)).build();
        gated.runOnce();
        f.assign(P0, P1);
        f.produce(P0, 3);
        f.produce(P1, 2);
        rounds(gated, 2);

        assertThat(batches).containsExactly(List.of("0-0", "0-1", "0-2", "1-0", "1-1"));
        assertThat(f.committed(P0)).isEqualTo(3);
        assertThat(f.committed(P1)).isEqualTo(2);
        assertThat(f.breaker.callStats().successful()).isEqualTo(1);
    }

    @Test
    void aBatchFailingWithACountingErrorThatOpensTheBreakerIsSoughtBackWholeAndEverythingPauses() {
        Fixture f = new Fixture();
        GatedConsumer<String, String> gated = f.builder()
                .batchHandler(recording(f, ids -> true, () -> new IOException("db down"))).build();
        gated.runOnce();
        f.assign(P0, P1);
        f.produce(P0, 3);
        f.produce(P1, 2);
        rounds(gated, 5);

        assertThat(batches).hasSize(1);
        assertThat(f.breaker.state()).isEqualTo(CircuitBreakerState.OPEN);
        assertThat(f.consumer.paused()).containsExactlyInAnyOrder(P0, P1);
        assertThat(f.consumer.position(P0)).isZero();
        assertThat(f.consumer.position(P1)).isZero();
        assertThat(f.committed(P0)).isEqualTo(-1);
        assertThat(gated.stats().recordsRedelivered()).isEqualTo(5);
    }

    @Test
    void inHalfOpenTheBatchHoldsOnlyAsManyRecordsAsTheBreakerAdmitsTrialCalls() {
        Fixture f = new Fixture();
        boolean[] down = {true};
        GatedConsumer<String, String> gated = f.builder()
                .batchHandler(recording(f, ids -> down[0], () -> new IOException("db down"))).build();
        gated.runOnce();
        f.assign(P0, P1);
        f.produce(P0, 2);
        f.produce(P1, 5);
        gated.runOnce();
        down[0] = false;
        batches.clear();
        f.clock.advance(Duration.ofSeconds(10));
        rounds(gated, 3);

        assertThat(batches.get(0)).containsExactly("0-0", "0-1", "1-0");
        assertThat(batches.get(1)).containsExactly("1-1", "1-2", "1-3", "1-4");
        assertThat(gated.stats().trialRecords()).isEqualTo(3);
        assertThat(f.breaker.state()).isEqualTo(CircuitBreakerState.CLOSED);
        assertThat(f.committed(P1)).isEqualTo(5);
    }

    @Test
    void aHoldStartedInHalfOpenEndsThoughItsTrialsWereGivenBackWithoutMovingTheBreaker() {
        // Regression: a batch cut short by the trial permits, then failing for one record's sake (an outcome that does not
        // count), gave every trial back without a transition; the hold waited for the breaker to move, and nothing was
        // left to move it: the consumer stayed paused, 0-3 to 0-9 never handled.
        Fixture f = new Fixture(b -> b.failureThreshold(1).resetTimeout(Duration.ofSeconds(10)).halfOpenMaxCalls(3)
                .successThreshold(3).ignoreExceptions(IllegalArgumentException.class));
        boolean[] down = {true};
        List<Long> failed = new CopyOnWriteArrayList<>();
        GatedConsumer<String, String> gated = f.builder()
                .batchHandler(recording(f, ids -> down[0] || ids.contains("0-0"),
                        () -> down[0] ? new IOException("db down") : new IllegalArgumentException("bad row")))
                .failedRecordHandler((r, e) -> failed.add(r.offset()))
                .build();
        gated.runOnce();
        f.assign(P0);
        f.produce(P0, 10);
        gated.runOnce();
        assertThat(f.breaker.state()).isEqualTo(CircuitBreakerState.OPEN);
        down[0] = false;
        for (int i = 0; i < 20; i++) {
            f.clock.advance(Duration.ofSeconds(10));
            gated.runOnce();
        }

        assertThat(f.committed(P0)).isEqualTo(10);
        assertThat(failed).containsExactly(0L);
        assertThat(f.breaker.state()).isEqualTo(CircuitBreakerState.CLOSED);
        assertThat(f.consumer.paused()).isEmpty();
    }

    @Test
    void aBatchFailingForOneRecordsSakeIsTriedOneRecordAtATimeAndOnlyThatRecordGoesToTheFailedRecordHandler() {
        Fixture f = new Fixture(b -> b.failureThreshold(1).ignoreExceptions(IllegalArgumentException.class));
        List<Long> failed = new CopyOnWriteArrayList<>();
        GatedConsumer<String, String> gated = f.builder()
                .batchHandler(recording(f, ids -> ids.contains("0-2"), () -> new IllegalArgumentException("bad row")))
                .failedRecordHandler((r, e) -> failed.add(r.offset()))
                .build();
        gated.runOnce();
        f.assign(P0);
        f.produce(P0, 4);
        rounds(gated, 2);

        assertThat(batches).containsExactly(List.of("0-0", "0-1", "0-2", "0-3"), List.of("0-0"), List.of("0-1"),
                List.of("0-2"), List.of("0-3"));
        assertThat(failed).containsExactly(2L);
        assertThat(f.committed(P0)).isEqualTo(4);
        assertThat(f.breaker.state()).isEqualTo(CircuitBreakerState.CLOSED);
    }

    @Test
    void aRecordThatFailsEveryBatchHoldingItIsFoundByTrialsOfOneRecordAndHandedOverInsteadOfStoppingItsPartition() {
        // A counting failure: every trial batch that holds 0-1 fails and opens the breaker again. Trials of one record
        // each find it, count its attempts, and hand it over once they reach their limit in all.
        Fixture f = new Fixture();
        List<Long> failed = new CopyOnWriteArrayList<>();
        GatedConsumer<String, String> gated = f.builder().maxAttempts(2)
                .batchHandler(recording(f, ids -> ids.contains("0-1"), () -> new IOException("constraint the db rejects")))
                .failedRecordHandler((r, e) -> failed.add(r.offset()))
                .build();
        gated.runOnce();
        f.assign(P0);
        f.produce(P0, 3);
        for (int cycle = 0; cycle < 100 && f.committed(P0) < 3; cycle++) {
            gated.runOnce();
            f.clock.advance(f.breaker.config().resetTimeout());
        }

        assertThat(failed).as("handed over: 0-1 alone").containsExactly(1L);
        assertThat(f.committed(P0)).as("the partition went on past it").isEqualTo(3);
        assertThat(batches).as("after the first failed trial batch, trials of one record").contains(List.of("0-1"))
                .filteredOn(ids -> ids.size() > 1 && ids.contains("0-1")).hasSizeLessThanOrEqualTo(2);
        assertThat(gated.stats().recordsHandled()).isEqualTo(2);
    }
}
