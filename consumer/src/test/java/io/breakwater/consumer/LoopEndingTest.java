package io.breakwater.consumer;

import static io.breakwater.consumer.Fixture.P0;
import static io.breakwater.consumer.Fixture.P1;
import static io.breakwater.consumer.Fixture.rounds;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.breakwater.breaker.CircuitBreakerState;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Interrupts and errors from the handler, and the commits the loop waits for when partitions go or it ends. */
class LoopEndingTest {

    private final Fixture f = new Fixture();
    private final List<Long> failed = new ArrayList<>();

    @AfterEach
    void clearInterrupt() {
        Thread.interrupted();
    }

    @Test
    void anInterruptedBatchCountsNothingSeeksEverythingBackAndKeepsTheInterrupt() {
        List<Integer> batches = new ArrayList<>();
        GatedConsumer<String, String> gated = f.builder().batchHandler(records -> {
            batches.add(records.size());
            throw new InterruptedException("shutting down");
        }).build();
        gated.runOnce();
        f.assign(P0, P1);
        f.produce(P0, 3);
        f.produce(P1, 2);
        gated.runOnce();

        assertThat(Thread.interrupted()).isTrue();
        assertThat(batches).containsExactly(5); // not tried again one record at a time
        assertThat(f.breaker.state()).isEqualTo(CircuitBreakerState.CLOSED);
        assertThat(f.breaker.callStats().failed()).isZero();
        assertThat(gated.stats().handlerFailures()).isZero();
        assertThat(f.consumer.position(P0)).isZero();
        assertThat(f.consumer.position(P1)).isZero();
        assertThat(f.committed(P0)).isEqualTo(-1);
    }

    @Test
    void anInterruptedRecordStopsTheRoundSoNoOtherPartitionIsHandled() {
        GatedConsumer<String, String> gated = f.builder().recordHandler(r -> {
            f.calls.add(r.partition() + "-" + r.offset());
            throw new InterruptedException("shutting down");
        }).build();
        gated.runOnce();
        f.assign(P0, P1);
        f.produce(P0, 3);
        f.produce(P1, 3);
        gated.runOnce();

        assertThat(Thread.interrupted()).isTrue();
        assertThat(f.calls).hasSize(1);
        assertThat(f.consumer.position(P0)).isZero();
        assertThat(f.consumer.position(P1)).isZero();
        assertThat(f.breaker.callStats().failed()).isZero();
    }

    @Test
    void anErrorFromTheHandlerEndsTheLoopAfterCommittingOnlyWhatWasHandled() {
        GatedConsumer<String, String> gated = f.builder()
                .recordHandler(r -> {
                    f.calls.add(r.partition() + "-" + r.offset());
                    if (r.offset() == 2) {
                        throw new NoClassDefFoundError("com/example/OrderRow"); // a bad deploy
                    }
                })
                .countsAsFailure(e -> false) // as SqlStateClassifier.defaults() judges an Error
                .failedRecordHandler((r, e) -> failed.add(r.offset()))
                .build();
        gated.runOnce();
        f.assign(P0);
        f.produce(P0, 5);

        assertThatThrownBy(() -> rounds(gated, 3)).isInstanceOf(NoClassDefFoundError.class); // run() throws it on
        gated.close();
        assertThat(failed).isEmpty();
        assertThat(f.calls).containsExactly("0-0", "0-1", "0-2");
        assertThat(f.committed(P0)).isEqualTo(2);
        assertThat(f.breaker.callStats().failed()).isZero();
    }

    @Test
    void aStackOverflowIsTheRecordsOwnFailureTriedMaxAttemptsTimesWhateverThePredicateSaysThenHandedOver() {
        Fixture lenient = new Fixture(b -> b.failureThreshold(100));
        GatedConsumer<String, String> gated = lenient.builder()
                .recordHandler(r -> {
                    lenient.calls.add(r.partition() + "-" + r.offset());
                    if (r.offset() == 0) {
                        throw new StackOverflowError();
                    }
                })
                .countsAsFailure(e -> false)
                .failedRecordHandler((r, e) -> failed.add(r.offset()))
                .maxAttempts(2)
                .build();
        gated.runOnce();
        lenient.assign(P0);
        lenient.produce(P0, 2);
        rounds(gated, 3);

        assertThat(failed).containsExactly(0L);
        assertThat(lenient.calls).containsExactly("0-0", "0-0", "0-1");
        assertThat(gated.stats().handlerFailures()).isEqualTo(2);
        assertThat(lenient.breaker.callStats().failed()).isZero(); // the breaker never counts a VirtualMachineError
        assertThat(lenient.committed(P0)).isEqualTo(2);
    }

    @Test
    void aFatalErrorInATrialBatchGivesBackEveryTrialPermit() {
        GatedConsumer<String, String> gated = f.builder().batchHandler(records -> {
            throw new OutOfMemoryError("Java heap space");
        }).build();
        f.halfOpenWith(gated, 5);

        assertThatThrownBy(gated::runOnce).isInstanceOf(OutOfMemoryError.class);
        assertThat(f.breaker.state()).isEqualTo(CircuitBreakerState.HALF_OPEN);
        for (int i = 0; i < 3; i++) {
            assertThat(f.breaker.tryAcquirePermit()).as("trial permit %d", i + 1).isNotNull();
        }
    }

    @Test
    void aTrialBatchTriedAgainOneRecordAtATimeCountsEachTrialRecordOnce() {
        Fixture lenient = new Fixture(b -> b.failureThreshold(1).resetTimeout(Duration.ofSeconds(10)).halfOpenMaxCalls(3)
                .successThreshold(3).ignoreExceptions(IllegalArgumentException.class));
        GatedConsumer<String, String> gated = lenient.builder().batchHandler(records -> {
            if (records.size() > 1) {
                throw new IllegalArgumentException("one bad row");
            }
        }).build();
        lenient.halfOpenWith(gated, 3);
        gated.runOnce();

        assertThat(lenient.breaker.state()).isEqualTo(CircuitBreakerState.CLOSED);
        assertThat(gated.stats().trialRecords()).isEqualTo(3);
        assertThat(lenient.committed(P0)).isEqualTo(3);
    }

    @Test
    void closeCommitsAndWaitsForEveryHandledOffsetEvenOneAnAsynchronousCommitStillCarries() {
        GatedConsumer<String, String> gated = f.builder().recordHandler(f.handler()).build();
        gated.runOnce();
        f.assign(P0);
        f.produce(P0, 3);
        f.consumer.asyncCommitsInFlight = true;
        rounds(gated, 2);
        assertThat(f.committed(P0)).isEqualTo(-1);
        gated.close();

        assertThat(f.committed(P0)).isEqualTo(3);
    }

    @Test
    void aRevokedPartitionCommitsEveryHandledOffsetEvenOneAnAsynchronousCommitStillCarries() {
        GatedConsumer<String, String> gated = f.builder().recordHandler(f.handler()).build();
        gated.runOnce();
        f.assign(P0, P1);
        f.produce(P0, 3);
        f.consumer.asyncCommitsInFlight = true;
        rounds(gated, 2);
        f.assign(P1);
        gated.runOnce();

        assertThat(f.committed(P0)).isEqualTo(3);
        gated.close();
    }
}
