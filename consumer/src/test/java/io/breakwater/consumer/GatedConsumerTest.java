package io.breakwater.consumer;

import static io.breakwater.consumer.Fixture.P0;
import static io.breakwater.consumer.Fixture.P1;
import static io.breakwater.consumer.Fixture.P2;
import static io.breakwater.consumer.Fixture.rounds;
import static org.assertj.core.api.Assertions.assertThat;

import io.breakwater.breaker.CircuitBreakerState;
import io.breakwater.breaker.Permit;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The gate's rules on a MockConsumer, the loop stepped by hand on the test thread, time on a manual clock. */
class GatedConsumerTest {

    private final Fixture f = new Fixture();


    @Test
    void handlesEveryRecordInOrderAndCommitsOnePastTheLastHandled() {
        GatedConsumer<String, String> gated = f.builder().recordHandler(f.handler()).build();
        gated.runOnce();
        f.assign(P0, P1);
        f.produce(P0, 3);
        f.produce(P1, 2);
        rounds(gated, 2);

        assertThat(f.calls).containsExactly("0-0", "0-1", "0-2", "1-0", "1-1");
        assertThat(f.committed(P0)).isEqualTo(3);
        assertThat(f.committed(P1)).isEqualTo(2);
        assertThat(gated.stats().recordsHandled()).isEqualTo(5);
        gated.close();
    }

    @Test
    void anOpeningBreakerPausesEveryPartitionSeeksEachBackToItsFirstUnhandledRecordAndCommitsNothingPastIt() {
        GatedConsumer<String, String> gated = f.builder()
                .recordHandler(f.handler(r -> r.partition() == 0 && r.offset() == 2 ? new IOException("db down") : null))
                .build();
        gated.runOnce();
        f.assign(P0, P1);
        f.produce(P0, 5);
        f.produce(P1, 5);
        gated.runOnce();

        assertThat(f.breaker.state()).isEqualTo(CircuitBreakerState.OPEN);
        assertThat(f.calls).containsExactly("0-0", "0-1", "0-2");
        assertThat(f.consumer.paused()).containsExactlyInAnyOrder(P0, P1);
        assertThat(f.consumer.position(P0)).isEqualTo(2);
        assertThat(f.consumer.position(P1)).isZero();
        assertThat(f.committed(P0)).isEqualTo(2);
        assertThat(f.committed(P1)).isEqualTo(-1);
        ConsumerStats stats = gated.stats();
        assertThat(stats.state()).isEqualTo(ConsumerStats.State.PAUSED);
        assertThat(stats.pausedPartitions()).isEqualTo(2);
        assertThat(stats.recordsRedelivered()).isEqualTo(3 + 5);
        gated.close();
    }

    @Test
    void whileOpenTheLoopKeepsPollingAndCallsNoHandler() {
        GatedConsumer<String, String> gated = f.builder().recordHandler(f.handler()).build();
        gated.runOnce();
        f.assign(P0);
        f.breaker.forceOpen();
        f.produce(P0, 10);
        int polls = f.consumer.polls.get();
        rounds(gated, 50);

        assertThat(f.calls).isEmpty();
        assertThat(f.consumer.polls.get() - polls).isEqualTo(50);
        assertThat(f.consumer.paused()).containsExactly(P0);
        assertThat(f.committed(P0)).isEqualTo(-1);
        gated.close();
    }

    @Test
    void halfOpenHandlesExactlyThePermittedTrialRecordsThenResumesEverything() {
        List<CircuitBreakerState> statesSeen = new ArrayList<>();
        boolean[] down = {true};
        GatedConsumer<String, String> gated = f.builder().recordHandler(r -> {
            statesSeen.add(f.breaker.state());
            f.calls.add(r.partition() + "-" + r.offset());
            if (down[0]) {
                throw new IOException("db down");
            }
        }).build();
        gated.runOnce();
        f.assign(P0, P1);
        f.produce(P0, 10);
        f.produce(P1, 10);
        gated.runOnce(); // the first record fails: OPEN
        statesSeen.clear();
        down[0] = false;
        f.clock.advance(Duration.ofSeconds(10));
        rounds(gated, 3);

        assertThat(statesSeen.subList(0, 3)).containsOnly(CircuitBreakerState.HALF_OPEN);
        assertThat(statesSeen.subList(3, statesSeen.size())).containsOnly(CircuitBreakerState.CLOSED);
        assertThat(gated.stats().trialRecords()).isEqualTo(3);
        assertThat(f.consumer.paused()).isEmpty();
        assertThat(f.committed(P0)).isEqualTo(10);
        assertThat(f.committed(P1)).isEqualTo(10);
        gated.close();
    }

    @Test
    void halfOpenTakesOnlyTheTrialPermitsLeftAndWaitsWithoutPollingRecordsAgainUntilTheBreakerMoves() {
        GatedConsumer<String, String> gated = f.builder().recordHandler(f.handler()).build();
        gated.runOnce();
        f.assign(P0);
        f.produce(P0, 10);
        f.breaker.forceOpen();
        gated.runOnce();
        f.breaker.reset();
        f.breaker.recordFailure(new IOException("elsewhere")); // OPEN again, with a reset timeout
        f.clock.advance(Duration.ofSeconds(10));
        Permit a = f.breaker.tryAcquirePermit(); // another user of the breaker holds two of the three trials
        Permit b = f.breaker.tryAcquirePermit();
        rounds(gated, 20);

        assertThat(f.calls).containsExactly("0-0");
        assertThat(f.consumer.paused()).containsExactly(P0);
        assertThat(gated.stats().recordsRedelivered()).isEqualTo(9); // once: no churn while the other trials run
        f.breaker.recordSuccess(a, 1);
        f.breaker.recordSuccess(b, 1); // three successes: CLOSED
        rounds(gated, 2);

        assertThat(f.breaker.state()).isEqualTo(CircuitBreakerState.CLOSED);
        assertThat(f.calls).hasSize(10);
        assertThat(f.committed(P0)).isEqualTo(10);
        gated.close();
    }

    @Test
    void aFailedTrialPausesEverythingAgain() {
        GatedConsumer<String, String> gated = f.builder().recordHandler(f.handler(r -> new IOException("still down"))).build();
        gated.runOnce();
        f.assign(P0, P1);
        f.produce(P0, 5);
        f.produce(P1, 5);
        gated.runOnce();
        f.clock.advance(Duration.ofSeconds(10));
        rounds(gated, 3);

        assertThat(f.calls).containsExactly("0-0", "0-0");
        assertThat(f.breaker.state()).isEqualTo(CircuitBreakerState.OPEN);
        assertThat(f.consumer.paused()).containsExactlyInAnyOrder(P0, P1);
        assertThat(f.consumer.position(P0)).isZero();
        assertThat(gated.stats().pauses()).isEqualTo(2);
        gated.close();
    }

    @Test
    void aRebalanceWhilePausedKeepsNewPartitionsPausedAndCommitsOnlyWhatWasHandledOfRevokedOnes() {
        GatedConsumer<String, String> gated = f.builder()
                .recordHandler(f.handler(r -> r.partition() == 0 && r.offset() == 3 ? new IOException("db down") : null))
                .build();
        gated.runOnce();
        f.assign(P0, P1);
        f.produce(P0, 5);
        f.produce(P1, 5);
        f.produce(P2, 5);
        gated.runOnce(); // 0-0..0-2 handled, 0-3 fails: OPEN, paused
        f.assign(P1, P2); // P0 revoked, P2 new
        rounds(gated, 5);

        assertThat(f.committed(P0)).isEqualTo(3);
        assertThat(f.consumer.paused()).containsExactlyInAnyOrder(P1, P2);
        assertThat(f.calls).containsExactly("0-0", "0-1", "0-2", "0-3");
        assertThat(gated.stats().pausedPartitions()).isEqualTo(2);

        f.assign(); // everything revoked, then assigned again: Kafka forgets the pause of all of them
        f.assign(P0, P1, P2);
        rounds(gated, 5);

        assertThat(f.consumer.paused()).containsExactlyInAnyOrder(P0, P1, P2);
        assertThat(f.calls).hasSize(4);
        assertThat(f.committed(P0)).isEqualTo(3);
        assertThat(f.consumer.position(P0)).isEqualTo(3);
        gated.close();
    }

    @Test
    void aCountingFailureTriesTheRecordAgainWhileOtherPartitionsGoOn() {
        Fixture lenient = new Fixture(b -> b.failureThreshold(5));
        int[] failures = {2};
        GatedConsumer<String, String> gated = lenient.builder()
                .recordHandler(lenient.handler(r -> r.partition() == 0 && r.offset() == 1 && failures[0]-- > 0
                        ? new IOException("timeout") : null))
                .build();
        gated.runOnce();
        lenient.assign(P0, P1);
        lenient.produce(P0, 3);
        lenient.produce(P1, 3);
        rounds(gated, 4);

        assertThat(lenient.calls).containsSubsequence("0-0", "0-1", "1-0", "1-1", "1-2", "0-1", "0-1", "0-2");
        assertThat(lenient.calls.stream().filter("0-1"::equals)).hasSize(3);
        assertThat(lenient.committed(P0)).isEqualTo(3);
        assertThat(lenient.committed(P1)).isEqualTo(3);
        assertThat(gated.stats().handlerFailures()).isEqualTo(2);
        assertThat(lenient.breaker.state()).isEqualTo(CircuitBreakerState.CLOSED);
        gated.close();
    }

    @Test
    void closeCommitsWhatWasHandledAndClosesTheConsumer() {
        GatedConsumer<String, String> gated = f.builder().recordHandler(f.handler()).build();
        gated.runOnce();
        f.assign(P0);
        f.produce(P0, 4);
        gated.runOnce();

        assertThat(gated.close(Duration.ofSeconds(5))).isTrue();
        assertThat(f.consumer.closed()).isTrue();
        assertThat(gated.stats().state()).isEqualTo(ConsumerStats.State.CLOSED);
        assertThat(gated.close(Duration.ZERO)).isTrue();
    }

    @Test
    void statsCountTimePausedOnTheBreakersClock() {
        GatedConsumer<String, String> gated = f.builder().recordHandler(f.handler()).build();
        gated.runOnce();
        f.assign(P0, P1, P2);
        f.breaker.forceOpen();
        gated.runOnce();
        f.clock.advance(Duration.ofSeconds(7));

        ConsumerStats paused = gated.stats();
        assertThat(paused.pausedPartitions()).isEqualTo(3);
        assertThat(paused.timePaused()).isEqualTo(Duration.ofSeconds(7));
        assertThat(paused.pausedSince()).isEqualTo(f.clock.instant().minusSeconds(7));
        f.breaker.reset();
        gated.runOnce();
        f.clock.advance(Duration.ofSeconds(60));

        ConsumerStats running = gated.stats();
        assertThat(running.state()).isEqualTo(ConsumerStats.State.RUNNING);
        assertThat(running.pausedPartitions()).isZero();
        assertThat(running.timePaused()).isEqualTo(Duration.ofSeconds(7));
        assertThat(running.pausedSince()).isNull();
        assertThat(running.pauses()).isEqualTo(1);
        assertThat(running.assignedPartitions()).isEqualTo(3);
        assertThat(running.name()).isEqualTo("orders-db");
        assertThat(running.breaker()).isEqualTo("orders-db");
        gated.close();
    }
    @Test
    void aRoundStopsAfterHalfOfMaxPollIntervalAndTheRestComesAgainAfterTheNextPoll() {
        // Records that take 100 s each (on the breaker's clock); max.poll.interval.ms is Kafka's default, 5 minutes.
        GatedConsumer<String, String> gated = f.builder().recordHandler(r -> {
            f.calls.add(r.partition() + "-" + r.offset());
            f.clock.advance(Duration.ofSeconds(100));
        }).handlerBlockThreshold(Duration.ofHours(1)).build();
        gated.runOnce();
        f.assign(P0);
        f.produce(P0, 5);
        int polls = f.consumer.polls.get();
        gated.runOnce();

        assertThat(f.calls).containsExactly("0-0", "0-1");
        assertThat(f.committed(P0)).isEqualTo(2);
        assertThat(f.consumer.position(P0)).isEqualTo(2);
        rounds(gated, 2);

        assertThat(f.calls).containsExactly("0-0", "0-1", "0-2", "0-3", "0-4");
        assertThat(f.consumer.polls.get() - polls).isEqualTo(3);
        assertThat(f.committed(P0)).isEqualTo(5);
    }
}
