package io.breakwater.consumer;

import static io.breakwater.consumer.Fixture.P0;
import static io.breakwater.consumer.Fixture.P1;
import static io.breakwater.consumer.Fixture.rounds;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.breakwater.breaker.CircuitBreaker;
import io.breakwater.breaker.CircuitBreakerState;
import io.breakwater.breaker.GuardClosedException;
import io.breakwater.testsupport.LogLines;
import java.io.IOException;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.apache.kafka.common.errors.RecordDeserializationException;
import org.apache.kafka.common.errors.TopicAuthorizationException;
import org.junit.jupiter.api.Test;

/** What happens to a record whose handler fails: by the breaker's classification, never for ever. */
class FailureHandlingTest {


    /** A breaker of something the handler calls, forced open. */
    private static CircuitBreaker forcedOpen(Fixture f) {
        CircuitBreaker inner = CircuitBreaker.of(io.breakwater.breaker.CircuitBreakerConfig.builder("inner")
                .clock(f.clock).build());
        inner.forceOpen();
        return inner;
    }

    @Test
    void aFailureTheBreakerDoesNotCountGoesToTheFailedRecordHandlerAndThePartitionMovesOn() {
        Fixture f = new Fixture(b -> b.failureThreshold(1).ignoreExceptions(IllegalArgumentException.class));
        List<String> failed = new CopyOnWriteArrayList<>();
        GatedConsumer<String, String> gated = f.builder()
                .recordHandler(f.handler(r -> r.offset() == 1 ? new IllegalArgumentException("bad amount") : null))
                .failedRecordHandler((r, e) -> failed.add(r.offset() + ": " + e.getMessage()))
                .build();
        gated.runOnce();
        f.assign(P0);
        f.produce(P0, 3);
        rounds(gated, 2);

        assertThat(failed).containsExactly("1: bad amount");
        assertThat(f.calls).containsExactly("0-0", "0-1", "0-2");
        assertThat(f.committed(P0)).isEqualTo(3);
        assertThat(f.breaker.state()).isEqualTo(CircuitBreakerState.CLOSED);
        assertThat(f.breaker.callStats().ignored()).isEqualTo(1);
        assertThat(gated.stats().recordsFailed()).isEqualTo(1);
        gated.close();
    }

    @Test
    void aRecordFailingWithCountingErrorsWhileTheBreakerKeepsAdmittingGoesToTheFailedRecordHandlerAfterMaxAttempts() {
        Fixture f = new Fixture(b -> b.failureThreshold(100));
        List<Long> failed = new CopyOnWriteArrayList<>();
        GatedConsumer<String, String> gated = f.builder()
                .recordHandler(f.handler(r -> r.partition() == 0 && r.offset() == 1 ? new IOException("poison") : null))
                .failedRecordHandler((r, e) -> failed.add(r.offset()))
                .maxAttempts(3)
                .build();
        gated.runOnce();
        f.assign(P0, P1);
        f.produce(P0, 3);
        f.produce(P1, 3);
        rounds(gated, 6);

        assertThat(f.calls.stream().filter("0-1"::equals)).hasSize(3);
        assertThat(failed).containsExactly(1L);
        assertThat(f.committed(P0)).isEqualTo(3);
        assertThat(f.committed(P1)).isEqualTo(3);
        assertThat(gated.stats().handlerFailures()).isEqualTo(3);
        assertThat(gated.stats().recordsFailed()).isEqualTo(1);
    }

    /**
     * Below the breaker's failureThreshold, maxAttempts hands a record of a resource that is down over before the
     * breaker opens, and build() says so; at the threshold the breaker opens first and the record waits.
     */
    @Test
    void maxAttemptsBelowTheFailureThresholdIsWarnedOfAndHandsARecordOverBeforeTheBreakerOpens() {
        for (int maxAttempts : new int[] {2, 3}) {
            Fixture f = new Fixture(b -> b.failureThreshold(3).resetTimeout(Duration.ofSeconds(10)));
            List<Long> failed = new CopyOnWriteArrayList<>();
            LogLines log = LogLines.fromNow();
            GatedConsumer<String, String> gated = f.builder()
                    .recordHandler(f.handler(r -> new IOException("db down")))
                    .failedRecordHandler((r, e) -> failed.add(r.offset()))
                    .maxAttempts(maxAttempts)
                    .build();
            List<String> warned = log.containing("WARN", "is below the failures in a row that open its breaker");
            gated.runOnce();
            f.assign(P0);
            f.produce(P0, 1);
            rounds(gated, 6);

            if (maxAttempts == 2) {
                assertThat(warned).singleElement().asString().endsWith("Consumer 'orders-db': maxAttempts (2) is below "
                        + "the failures in a row that open its breaker (failureThreshold: 3): while the resource is down, a "
                        + "record can fail 2 times in a row before the breaker opens, and then goes to the failed-record "
                        + "handler as if it were poison. Set maxAttempts to 3 or more");
                assertThat(failed).as("handed over during the outage").containsExactly(0L);
                assertThat(f.breaker.state()).isEqualTo(CircuitBreakerState.CLOSED);
            } else {
                assertThat(warned).isEmpty();
                assertThat(failed).isEmpty();
                assertThat(f.breaker.state()).isEqualTo(CircuitBreakerState.OPEN);
                assertThat(f.committed(P0)).isEqualTo(-1);
            }
            gated.close();
        }
    }

    @Test
    void withAFailureRateTheWarningCountsTheMinimumCallsThatOpenTheBreakerFromAnEmptyWindow() {
        Fixture f = new Fixture(b -> b.failureThreshold(100).windowSize(20).failureRateThreshold(0.5).minimumCalls(5));
        for (int maxAttempts : new int[] {4, 5}) {
            LogLines log = LogLines.fromNow();
            f.builder().recordHandler(f.handler()).maxAttempts(maxAttempts).build().close();
            List<String> warned = log.containing("WARN", "is below the failures in a row that open its breaker");
            if (maxAttempts == 4) {
                assertThat(warned).singleElement().asString().contains("maxAttempts (4) is below the failures in a row "
                        + "that open its breaker (minimumCalls, with its failure rate: 5)").endsWith("Set maxAttempts to 5 or more");
            } else {
                assertThat(warned).as("5 failures in a row fill the minimum at a rate of 100 %").isEmpty();
            }
        }
    }

    /** A breaker that opens on the second failure in a row and admits one trial a second later; a handler that always fails. */
    private static GatedConsumer<String, String> flapping(Fixture f, List<Long> failed) {
        GatedConsumer<String, String> gated = f.builder()
                .recordHandler(f.handler(r -> new IOException("db down")))
                .failedRecordHandler((r, e) -> failed.add(r.offset()))
                .maxAttempts(2)
                .build();
        gated.runOnce();
        f.assign(P0);
        f.produce(P0, 3);
        return gated;
    }

    private static Fixture flappingFixture() {
        return new Fixture(b -> b.failureThreshold(2).resetTimeout(Duration.ofSeconds(1)).halfOpenMaxCalls(1)
                .successThreshold(1));
    }

    @Test
    void attemptsCountAgainAfterATransitionWithNoSuccessSinceSoAnOutageDoesNotMakeARecordPoison() {
        Fixture f = flappingFixture();
        List<Long> failed = new CopyOnWriteArrayList<>();
        GatedConsumer<String, String> gated = flapping(f, failed);
        for (int i = 0; i < 12; i++) {
            rounds(gated, 3);
            f.clock.advance(Duration.ofSeconds(1));
        }

        assertThat(failed).isEmpty();
        assertThat(f.calls).hasSizeGreaterThan(10).hasSizeLessThan(20).containsOnly("0-0");
        assertThat(f.committed(P0)).isEqualTo(-1);
    }

    @Test
    void aRecordThatIsEveryTrialOfAFlappingBreakerGoesToTheFailedRecordHandlerAfterTenTimesMaxAttemptsInAll() {
        Fixture f = flappingFixture();
        List<Long> failed = new CopyOnWriteArrayList<>();
        GatedConsumer<String, String> gated = flapping(f, failed);
        for (int i = 0; i < 40 && failed.isEmpty(); i++) {
            rounds(gated, 3);
            f.clock.advance(Duration.ofSeconds(1));
        }

        assertThat(failed).containsExactly(0L);
        assertThat(f.calls.stream().filter("0-0"::equals)).hasSize(20);
        assertThat(f.committed(P0)).isEqualTo(1);
    }

    @Test
    void aFailedRecordHandlerThatFailsOnceTakesThePoisonRecordOnTheNextTry() {
        Fixture f = new Fixture(b -> b.failureThreshold(100));
        List<Long> deadLettered = new CopyOnWriteArrayList<>();
        int[] tries = {0};
        GatedConsumer<String, String> gated = f.builder()
                .recordHandler(f.handler(r -> r.offset() == 0 ? new IOException("poison") : null))
                .failedRecordHandler((r, e) -> {
                    if (tries[0]++ == 0) {
                        throw new IOException("dead-letter topic not reachable yet");
                    }
                    deadLettered.add(r.offset());
                })
                .maxAttempts(3)
                .build();
        gated.runOnce();
        f.assign(P0);
        f.produce(P0, 2);
        rounds(gated, 6);

        assertThat(tries[0]).isEqualTo(2);
        assertThat(deadLettered).containsExactly(0L);
        assertThat(gated.stats().recordsDropped()).isZero();
        assertThat(gated.stats().recordsFailed()).isEqualTo(1);
        assertThat(f.committed(P0)).isEqualTo(2);
    }

    @Test
    void aFailedRecordHandlerThatThrowsGetsTheRecordAgainThenTheRecordIsDroppedAndCounted() {
        Fixture f = new Fixture(b -> b.ignoreExceptions(IllegalArgumentException.class));
        int[] tries = {0};
        GatedConsumer<String, String> gated = f.builder()
                .recordHandler(f.handler(r -> r.offset() == 0 ? new IllegalArgumentException("bad") : null))
                .failedRecordHandler((r, e) -> {
                    tries[0]++;
                    throw new IOException("dead-letter topic unreachable");
                })
                .maxAttempts(3)
                .build();
        gated.runOnce();
        f.assign(P0);
        f.produce(P0, 2);
        rounds(gated, 5);

        assertThat(tries[0]).isEqualTo(3);
        assertThat(f.committed(P0)).isEqualTo(2);
        assertThat(gated.stats().recordsDropped()).isEqualTo(1);
        assertThat(gated.stats().recordsFailed()).isZero();
    }

    @Test
    void aHandlerRefusedByABreakerItCallsBacksOffWithoutCountingAndTriesTheRecordAgain() {
        Fixture f = new Fixture();
        CircuitBreaker inner = forcedOpen(f);
        GatedConsumer<String, String> gated = f.builder()
                .recordHandler(r -> inner.execute(() -> f.calls.add(r.partition() + "-" + r.offset())))
                .retryBackoff(Duration.ofSeconds(2))
                .build();
        gated.runOnce();
        f.assign(P0);
        f.produce(P0, 3);
        rounds(gated, 5);

        assertThat(f.consumer.paused()).containsExactly(P0);
        assertThat(f.breaker.state()).isEqualTo(CircuitBreakerState.CLOSED);
        assertThat(f.breaker.callStats().failed()).isZero();
        int polls = f.consumer.polls.get();
        inner.reset();
        f.clock.advance(Duration.ofSeconds(2));
        rounds(gated, 2);

        assertThat(f.calls).containsExactly("0-0", "0-1", "0-2");
        assertThat(f.committed(P0)).isEqualTo(3);
        assertThat(f.consumer.polls.get()).isGreaterThan(polls);
    }

    @Test
    void aBackoffEndsAsSoonAsTheGatesOwnBreakerMoves() {
        Fixture f = new Fixture(b -> b.failureThreshold(1).resetTimeout(Duration.ofSeconds(1)).halfOpenMaxCalls(1)
                .successThreshold(1));
        boolean[] refuse = {true};
        GatedConsumer<String, String> gated = f.builder()
                .recordHandler(f.handler(r -> refuse[0] ? f.breaker.openException() : null))
                .retryBackoff(Duration.ofMinutes(10))
                .recordOutcomes(false)
                .build();
        gated.runOnce();
        f.assign(P0);
        f.produce(P0, 2);
        rounds(gated, 3);
        assertThat(f.calls).containsExactly("0-0");
        refuse[0] = false;
        f.breaker.forceOpen();
        f.breaker.reset(); // the breaker moved: CLOSED again, long before the backoff ends
        rounds(gated, 2);

        assertThat(f.calls).containsExactly("0-0", "0-0", "0-1");
        assertThat(f.committed(P0)).isEqualTo(2);
    }

    /** Three records on P0, then ten rounds a backoff of 100 ms apart. */
    private static void threeRecordsForASecondOfBackoffs(Fixture f, GatedConsumer<String, String> gated) {
        gated.runOnce();
        f.assign(P0);
        f.produce(P0, 3);
        aSecondOfBackoffs(f, gated);
    }

    private static void aSecondOfBackoffs(Fixture f, GatedConsumer<String, String> gated) {
        for (int i = 0; i < 10; i++) {
            rounds(gated, 1);
            f.clock.advance(Duration.ofMillis(100));
        }
    }

    @Test
    void aGuardClosedBeforeItsConsumerHoldsTheRecordsBackInsteadOfHandingThemOver() {
        // Regression: a guarded DataSource closed before its consumer (an application stopping in that order) failed each
        // record with SQL state 08003, which counts, while nothing recorded it into the breaker (the guard is closed):
        // each record failed maxAttempts times in a row with the breaker admitting, and went to the failed-record
        // handler. The default one logs it, and the offset is committed past: the record was lost.
        Fixture f = new Fixture();
        List<Long> failed = new CopyOnWriteArrayList<>();
        LogLines log = LogLines.fromNow();
        GatedConsumer<String, String> gated = f.builder()
                .recordHandler(f.handler(r -> r.offset() == 0 ? null : new java.sql.SQLNonTransientConnectionException(
                        "The CircuitBreakerDataSource of breaker 'db' is closed", "08003",
                        new GuardClosedException("the CircuitBreakerDataSource of breaker 'db'"))))
                .failedRecordHandler((r, e) -> failed.add(r.offset()))
                .recordOutcomes(false)
                .maxAttempts(3)
                .retryBackoff(Duration.ofMillis(100))
                .build();
        threeRecordsForASecondOfBackoffs(f, gated);

        assertThat(f.calls.stream().filter("0-1"::equals)).as("tried again after each backoff").hasSizeGreaterThan(3);
        assertThat(failed).as("none handed over").isEmpty();
        assertThat(f.committed(P0)).as("nothing committed past it").isEqualTo(1);
        assertThat(gated.stats().handlerFailures()).as("not an attempt").isZero();
        assertThat(log.containing("the CircuitBreakerDataSource of breaker 'db' is closed;", "close a consumer before"))
                .as("warned of once").hasSize(1);
        gated.close();
    }

    @Test
    void aGuardClosedBeforeItsConsumerHoldsABatchBackTooAndCountsNothingIntoTheBreaker() {
        Fixture f = new Fixture();
        List<Long> failed = new CopyOnWriteArrayList<>();
        int[] calls = {0};
        GatedConsumer<String, String> gated = f.builder()
                .batchHandler(batch -> {
                    calls[0]++;
                    throw new java.sql.SQLNonTransientConnectionException("closed", "08003",
                            new GuardClosedException("the CircuitBreakerDataSource of breaker 'db'"));
                })
                .failedRecordHandler((r, e) -> failed.add(r.offset()))
                .maxAttempts(3)
                .retryBackoff(Duration.ofMillis(100))
                .build();   // recordOutcomes(true): the loop records, and must not record this
        threeRecordsForASecondOfBackoffs(f, gated);

        assertThat(calls[0]).as("tried again after each backoff").isGreaterThan(3);
        assertThat(failed).isEmpty();
        assertThat(f.committed(P0)).as("nothing committed").isIn(-1L, 0L);
        assertThat(f.breaker.callStats().failed()).isZero();
        assertThat(f.breaker.state()).isEqualTo(CircuitBreakerState.CLOSED);
        gated.close();
    }

    @Test
    void aRefusalWrappedInAnotherExceptionIsStillARefusal() {
        Fixture f = new Fixture();
        CircuitBreaker inner = forcedOpen(f);
        GatedConsumer<String, String> gated = f.builder()
                .recordHandler(f.handler(r -> new java.sql.SQLTransientConnectionException("Refused getConnection()", "08001",
                        inner.openException())))
                .build();
        gated.runOnce();
        f.assign(P0);
        f.produce(P0, 3);
        rounds(gated, 3);

        assertThat(f.calls).containsExactly("0-0");
        assertThat(f.breaker.callStats().failed()).isZero();
        assertThat(gated.stats().handlerFailures()).isZero();
        assertThat(f.consumer.paused()).containsExactly(P0);
    }

    @Test
    void aRecordKafkaCannotDeserializeIsSkippedLoggedAndCounted() {
        Fixture f = new Fixture();
        GatedConsumer<String, String> gated = f.builder().recordHandler(f.handler()).build();
        gated.runOnce();
        f.assign(P0);
        f.produce(P0, 3);
        gated.runOnce();
        f.produce(P0, 3);
        f.consumer.beforePoll = () -> {
            throw new RecordDeserializationException(RecordDeserializationException.DeserializationExceptionOrigin.VALUE, P0, 3,
                    0L, org.apache.kafka.common.record.TimestampType.CREATE_TIME, null, null,
                    new org.apache.kafka.common.header.internals.RecordHeaders(), "Error deserializing",
                    new IllegalStateException("bad bytes"));
        };
        rounds(gated, 2);

        assertThat(f.calls).containsExactly("0-0", "0-1", "0-2", "0-4", "0-5");
        assertThat(gated.stats().recordsDropped()).isEqualTo(1);
        assertThat(f.committed(P0)).isEqualTo(6);
    }

    @Test
    void anUndeserializableLastRecordOfItsPartitionIsCommittedPastSoItIsNotMetAgain() {
        Fixture f = new Fixture();
        GatedConsumer<String, String> gated = f.builder().recordHandler(f.handler()).build();
        gated.runOnce();
        f.assign(P0);
        f.produce(P0, 3);
        gated.runOnce();
        f.produce(P0, 1);   // offset 3, the partition's last: Kafka cannot deserialize it
        f.consumer.beforePoll = () -> {
            throw new RecordDeserializationException(RecordDeserializationException.DeserializationExceptionOrigin.VALUE, P0, 3,
                    0L, org.apache.kafka.common.record.TimestampType.CREATE_TIME, null, null,
                    new org.apache.kafka.common.header.internals.RecordHeaders(), "Error deserializing",
                    new IllegalStateException("bad bytes"));
        };
        rounds(gated, 2);

        assertThat(f.calls).containsExactly("0-0", "0-1", "0-2");
        assertThat(gated.stats().recordsDropped()).isEqualTo(1);
        assertThat(f.committed(P0)).as("committed past the skipped record").isEqualTo(4);
    }

    /**
     * A DISABLED breaker never opens, so a resource that is down would make every record fail maxAttempts times in a
     * row and go to the failed-record handler: the loop backs off instead, and hands a record over only after its
     * attempts in all (10 x maxAttempts).
     */
    @Test
    void whileTheBreakerIsDisabledACountingFailureBacksOffInsteadOfHandingTheRecordOverAfterMaxAttempts() {
        Fixture f = new Fixture();
        f.breaker.disable();
        boolean[] down = {true};
        List<Long> failed = new CopyOnWriteArrayList<>();
        GatedConsumer<String, String> gated = f.builder()
                .recordHandler(f.handler(r -> down[0] ? new IOException("database down") : null))
                .failedRecordHandler((r, e) -> failed.add(r.offset()))
                .maxAttempts(2)
                .retryBackoff(Duration.ofSeconds(1))
                .build();
        gated.runOnce();
        f.assign(P0);
        f.produce(P0, 3);
        for (int i = 0; i < 5; i++) {
            rounds(gated, 3);
            f.clock.advance(Duration.ofSeconds(1));
        }

        assertThat(failed).as("handed over").isEmpty();
        assertThat(f.calls).as("a second try at once, then one per backoff").containsOnly("0-0").hasSize(6);
        assertThat(f.consumer.paused()).containsExactly(P0);
        down[0] = false;
        rounds(gated, 3);

        assertThat(f.calls).endsWith("0-0", "0-1", "0-2");
        assertThat(failed).isEmpty();
        assertThat(f.committed(P0)).isEqualTo(3);
    }

    /** Others handled between its tries: the record alone fails (poison), and the other partitions are never paused. */
    @Test
    void whileTheBreakerIsDisabledARecordFailingAloneIsHandedOverAfterMaxAttemptsWithoutPausingTheOthers() {
        Fixture f = new Fixture();
        f.breaker.disable();
        List<Long> failed = new CopyOnWriteArrayList<>();
        GatedConsumer<String, String> gated = f.builder()
                .recordHandler(f.handler(r -> r.partition() == 0 && r.offset() == 0 ? new IOException("poison") : null))
                .failedRecordHandler((r, e) -> failed.add(r.offset()))
                .maxAttempts(3)
                .build();
        gated.runOnce();
        f.assign(P0, P1);
        f.produce(P0, 2);
        for (int i = 0; i < 8 && failed.isEmpty(); i++) {
            f.produce(P1, 1);   // P1 goes on between the tries at P0's record
            gated.runOnce();
            assertThat(f.consumer.paused()).as("round %d", i).isEmpty();
        }
        rounds(gated, 2);

        assertThat(failed).containsExactly(0L);
        assertThat(f.calls.stream().filter("0-0"::equals)).hasSize(3);
        assertThat(f.committed(P0)).isEqualTo(2);
    }

    @Test
    void whileTheBreakerIsDisabledARecordFailingEveryTryIsHandedOverAfterItsAttemptsInAll() {
        Fixture f = new Fixture();
        f.breaker.disable();
        List<Long> failed = new CopyOnWriteArrayList<>();
        GatedConsumer<String, String> gated = f.builder()
                .recordHandler(f.handler(r -> r.offset() == 0 ? new IOException("poison") : null))
                .failedRecordHandler((r, e) -> failed.add(r.offset()))
                .maxAttempts(2)
                .build();
        gated.runOnce();
        f.assign(P0);
        f.produce(P0, 2);
        for (int i = 0; i < 25 && failed.isEmpty(); i++) {
            rounds(gated, 2);
            f.clock.advance(GatedConsumerBuilder.DEFAULT_RETRY_BACKOFF);
        }
        rounds(gated, 2);

        assertThat(failed).containsExactly(0L);
        assertThat(f.calls.stream().filter("0-0"::equals)).hasSize(20);
        assertThat(f.committed(P0)).isEqualTo(2);
    }

    /**
     * A guarded dead-letter producer whose breaker is open refuses the hand-over: no try of the failed-record handler's
     * (which would drop the record after maxAttempts quick refusals); the loop backs off and the record comes again.
     */
    @Test
    void aFailedRecordHandlerRefusedByABreakerBacksOffAndNeverDropsTheRecord() {
        Fixture f = new Fixture(b -> b.ignoreExceptions(IllegalArgumentException.class));
        CircuitBreaker deadLetters = forcedOpen(f);
        List<Long> deadLettered = new CopyOnWriteArrayList<>();
        GatedConsumer<String, String> gated = f.builder()
                .recordHandler(f.handler(r -> r.offset() == 0 ? new IllegalArgumentException("bad") : null))
                .failedRecordHandler((r, e) -> deadLetters.execute(() -> deadLettered.add(r.offset())))
                .maxAttempts(2)
                .retryBackoff(Duration.ofSeconds(1))
                .build();
        gated.runOnce();
        f.assign(P0);
        f.produce(P0, 2);
        for (int i = 0; i < 5; i++) {
            rounds(gated, 3);
            f.clock.advance(Duration.ofSeconds(1));
        }

        assertThat(gated.stats().recordsDropped()).isZero();
        assertThat(f.committed(P0)).isLessThan(1);
        assertThat(f.consumer.paused()).containsExactly(P0);
        assertThat(f.calls.stream().filter("0-0"::equals)).as("the record waits for its hand-over, not for another try "
                + "of its handler (whose failures would count into the breaker at every backoff)").hasSize(1);
        deadLetters.reset();
        rounds(gated, 3);

        assertThat(deadLettered).containsExactly(0L);
        assertThat(gated.stats().recordsDropped()).isZero();
        assertThat(f.committed(P0)).isEqualTo(2);
        assertThat(f.calls.stream().filter("0-0"::equals)).hasSize(1);
    }

    @Test
    void aBatchWhoseRecordWaitsForItsHandOverIsNotHandledAgainUntilItIsHandedOver() {
        Fixture f = new Fixture(b -> b.failureThreshold(100));
        CircuitBreaker deadLetters = forcedOpen(f);
        List<Long> deadLettered = new CopyOnWriteArrayList<>();
        List<Integer> batches = new CopyOnWriteArrayList<>();
        GatedConsumer<String, String> gated = f.builder()
                .batchHandler(batch -> {
                    batches.add(batch.size());
                    if (batch.stream().anyMatch(r -> r.offset() == 0)) {
                        throw new IOException("poison");
                    }
                })
                .failedRecordHandler((r, e) -> deadLetters.execute(() -> deadLettered.add(r.offset())))
                .maxAttempts(2)
                .retryBackoff(Duration.ofMillis(100))
                .build();
        threeRecordsForASecondOfBackoffs(f, gated);
        int calls = batches.size();
        aSecondOfBackoffs(f, gated);
        assertThat(batches).as("no handler call while the record waits for its hand-over").hasSize(calls);
        assertThat(f.breaker.callStats().failed()).as("so no failure counted at each backoff").isLessThanOrEqualTo(calls);
        deadLetters.reset();
        rounds(gated, 2);

        assertThat(deadLettered).containsExactly(0L);
        assertThat(f.committed(P0)).isEqualTo(3);
    }

    @Test
    void aFatalPollErrorEndsTheLoopAfterCommittingWhatWasHandled() {
        Fixture f = new Fixture();
        GatedConsumer<String, String> gated = f.builder().recordHandler(r -> {
            f.calls.add(r.partition() + "-" + r.offset());
            if (r.offset() == 2) {
                f.consumer.beforePoll = () -> {
                    throw new TopicAuthorizationException("not authorized to read orders");
                };
            }
        }).build();
        f.consumer.beforePoll = () -> {
            f.assign(P0);
            f.produce(P0, 3);
        };

        assertThatThrownBy(gated::run).isInstanceOf(TopicAuthorizationException.class);
        assertThat(gated.failure()).containsInstanceOf(TopicAuthorizationException.class);
        assertThat(gated.stats().state()).isEqualTo(ConsumerStats.State.FAILED);
        assertThat(f.committed(P0)).isEqualTo(3);
        assertThat(f.consumer.closed()).isTrue();
        assertThatThrownBy(gated::run).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("GatedConsumer 'orders-db' runs (or ran) already on thread");
    }
}
