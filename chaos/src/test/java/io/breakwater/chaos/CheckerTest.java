package io.breakwater.chaos;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class CheckerTest {

    private static final String W = "bus-spill";
    private static final String TOPIC = "chaos-" + W;

    private final List<History.Op> ops = new ArrayList<>();
    private final Map<String, List<TopicReader.Stored>> topics = new HashMap<>(Map.of(TOPIC, new ArrayList<>()));

    /** An operation of key k-0, invoked at {@code invoke} ms and completed at {@code complete} ms. */
    private History.Op op(String id, long seq, long invoke, long complete, Outcome outcome) {
        History.Op op = new History.Op(id, W, "k-0", seq, invoke * 1000, 10, complete * 1000, outcome);
        ops.add(op);
        return op;
    }

    /** A copy written by the send of CreateTime {@value #SEND} ms. */
    private void stored(String id, long offset) {
        stored(id, offset, SEND);
    }

    private static final long SEND = 1_000;

    private void stored(String id, long offset, long createTime) {
        stored(id, offset, createTime, 0);
    }

    /** A copy written by the replay's send number {@code replay} (0: a direct send). */
    private void stored(String id, long offset, long createTime, int replay) {
        topics.get(TOPIC).add(new TopicReader.Stored(TOPIC, 0, offset, id, createTime, replay));
    }

    private Checker.Result check() {
        return Checker.check(ops, topics);
    }

    @Test
    void aCleanHistoryPassesAndIsCountedPerOutcome() {
        op("a", 0, 0, 5, Outcome.ok(0, 0));
        stored("a", 0);
        op("b", 1, 10, 11, new Outcome(Outcome.Kind.REJECTED, -1, -1, "CircuitBreakerOpenException"));
        op("c", 2, 20, 21, Outcome.SPILLED);
        op("d", 3, 30, 35, new Outcome(Outcome.Kind.FAIL, -1, -1, "TimeoutException"));
        stored("d", 1);
        stored("c", 2);
        Checker.Result result = check();
        assertThat(result.violations()).isEmpty();
        assertThat(result.passed()).isTrue();
        assertThat(result.outcomes().get(W)).containsEntry(Outcome.Kind.OK, 1L).containsEntry(Outcome.Kind.REJECTED, 1L)
                .containsEntry(Outcome.Kind.SPILLED, 1L).containsEntry(Outcome.Kind.FAIL, 1L);
        assertThat(result.fails()).isEqualTo(1);
        assertThat(result.failsOnTopic()).isEqualTo(1);
    }

    @Test
    void anAcknowledgedEventMissingOrAtAnotherOffsetIsLost() {
        op("a", 0, 0, 5, Outcome.ok(0, 0));
        op("b", 1, 6, 9, Outcome.ok(0, 1));
        stored("b", 2);
        assertThat(check().violations()).extracting(Checker.Violation::check, Checker.Violation::id, Checker.Violation::detail)
                .containsExactly(
                        org.assertj.core.groups.Tuple.tuple("lost", "a", "acknowledged at 0:0, on the topic nowhere"),
                        org.assertj.core.groups.Tuple.tuple("lost", "b", "acknowledged at 0:1, on the topic at 0:2"));
    }

    @Test
    void aRejectedEventOnTheTopicLeaked() {
        op("a", 0, 0, 1, new Outcome(Outcome.Kind.REJECTED, -1, -1, "SendQueueFullException"));
        stored("a", 0);
        assertThat(check().violations()).singleElement().satisfies(v -> {
            assertThat(v.check()).isEqualTo("leaked");
            assertThat(v.detail()).isEqualTo("rejected SendQueueFullException, yet on the topic at 0:0");
        });
    }

    @Test
    void aSpilledEventNowhereIsLostAndOnceOrMoreIsFine() {
        op("a", 0, 0, 1, Outcome.SPILLED);
        op("b", 1, 2, 3, Outcome.SPILLED);
        stored("b", 0);
        stored("b", 1);
        Checker.Result result = check();
        assertThat(result.violations()).extracting(Checker.Violation::check, Checker.Violation::id)
                .containsExactly(org.assertj.core.groups.Tuple.tuple("lost", "a"));
        assertThat(result.duplicates()).containsEntry("spilled", 1L);
    }

    @Test
    void anAcknowledgedEventWrittenAgainAfterItsAcknowledgementIsADuplicateNotAllowed() {
        op("a", 0, 0, 1, Outcome.ok(0, 0));
        stored("a", 0);
        stored("a", 1);
        assertThat(check().violations()).singleElement().satisfies(v -> {
            assertThat(v.check()).isEqualTo("duplicate");
            assertThat(v.detail()).isEqualTo("acknowledged at 0:0, written by another send or after that: on the topic at "
                    + "0:0 (CreateTime 1000), 0:1 (CreateTime 1000)");
        });
    }

    @Test
    void anEarlierCopyOfAnAcknowledgedEventMustBeOfTheAcknowledgedSend() {
        op("a", 0, 0, 1, Outcome.ok(0, 2));
        stored("a", 0, SEND - 5); // another send() of the same event: sent twice by the caller, not resent by Kafka
        stored("a", 2);
        op("b", 1, 2, 3, Outcome.ok(0, 4));
        stored("b", 3, TopicReader.NO_TIMESTAMP); // a LogAppendTime proves nothing
        stored("b", 4, TopicReader.NO_TIMESTAMP);
        assertThat(check().violations()).extracting(Checker.Violation::check, Checker.Violation::id, Checker.Violation::detail)
                .containsExactly(
                        org.assertj.core.groups.Tuple.tuple("duplicate", "a", "acknowledged at 0:2, written by another send or "
                                + "after that: on the topic at 0:0 (CreateTime 995), 0:2 (CreateTime 1000)"),
                        org.assertj.core.groups.Tuple.tuple("duplicate", "b", "acknowledged at 0:4, written by another send or "
                                + "after that: on the topic at 0:3 (CreateTime none), 0:4 (CreateTime none)"));
    }

    @Test
    void aSpilledEventMayHaveOneDirectSendAndEachNumberedSendOfTheReplayButNoSecondOfEither() {
        op("a", 0, 0, 1, Outcome.SPILLED);
        stored("a", 0, SEND); // its direct attempt, written twice (resent under a new epoch)
        stored("a", 1, SEND);
        stored("a", 2, SEND + 50, 1); // its replay, whose answer was lost
        stored("a", 3, SEND + 90, 2); // and the replay's second send
        op("b", 1, 2, 3, Outcome.SPILLED);
        stored("b", 4, SEND);
        stored("b", 5, SEND + 50);
        stored("b", 6, SEND + 90, 1);
        op("c", 2, 4, 5, Outcome.SPILLED);
        stored("c", 7, SEND + 50, 1);
        stored("c", 8, SEND + 90, 1);
        Checker.Result result = check();
        assertThat(result.violations()).extracting(Checker.Violation::check, Checker.Violation::id, Checker.Violation::detail)
                .containsExactly(
                        org.assertj.core.groups.Tuple.tuple("duplicate", "b", "spilled, and written by 2 direct sends (at "
                                + "most 1): on the topic at 0:4 (CreateTime 1000), 0:5 (CreateTime 1050), 0:6 (CreateTime "
                                + "1090, replay 1)"),
                        org.assertj.core.groups.Tuple.tuple("duplicate", "c", "spilled, and written by 2 sends of the replay "
                                + "numbered 1 (one each): on the topic at 0:7 (CreateTime 1050, replay 1), 0:8 (CreateTime "
                                + "1090, replay 1)"));
        assertThat(result.duplicates()).containsExactly(Map.entry("spilled", 3L));
    }

    @Test
    void copiesBeforeTheAcknowledgedOneAndCopiesOfFailedOrSpilledEventsAreAllowedAndCounted() {
        op("a", 0, 0, 1, Outcome.ok(0, 2)); // its first attempt (offset 0) was written, its answer lost
        op("b", 1, 2, 3, new Outcome(Outcome.Kind.FAIL, -1, -1, "TimeoutException"));
        op("c", 2, 4, 5, Outcome.SPILLED);
        stored("a", 0);
        stored("b", 1);
        stored("a", 2);
        stored("b", 3);
        stored("c", 4);
        stored("c", 5);
        stored("c", 6, SEND + 1, 1);
        Checker.Result result = check();
        assertThat(result.violations()).isEmpty();
        assertThat(result.duplicates()).containsExactlyInAnyOrderEntriesOf(
                Map.of(Checker.OK_EARLIER, 1L, "fail", 1L, "spilled", 2L));
    }

    @Test
    void aPendingOperationAndARecordNoOperationMadeAreViolations() {
        op("a", 0, 1, -1, Outcome.PENDING);
        stored("stranger", 0);
        stored(null, 1);
        assertThat(check().violations()).extracting(Checker.Violation::check, Checker.Violation::id).containsExactlyInAnyOrder(
                org.assertj.core.groups.Tuple.tuple("pending", "a"),
                org.assertj.core.groups.Tuple.tuple("unknown", "stranger"),
                org.assertj.core.groups.Tuple.tuple("unknown", "-"));
    }

    @Test
    void acknowledgedEventsOfAKeyOutOfPublishOrderAreAnOrderViolation() {
        op("a", 0, 0, 5, Outcome.ok(0, 1));
        op("b", 1, 1, 6, Outcome.ok(0, 0));
        stored("a", 1);
        stored("b", 0);
        assertThat(check().violations()).singleElement().satisfies(v -> {
            assertThat(v.check()).isEqualTo("order");
            assertThat(v.id()).isEqualTo("b");
            assertThat(v.detail()).isEqualTo("seq 1 of k-0 acknowledged at 0:0, seq 0 (a) at 0:1");
        });
    }

    @Test
    void anEventPublishedAfterOneOfItsKeyWasSpilledMustFollowItOnTheTopic() {
        op("a", 0, 0, 5, Outcome.SPILLED);
        op("b", 1, 6, 7, Outcome.ok(0, 0)); // published once a was durable in the spill, yet first on the topic
        stored("b", 0);
        stored("a", 1);
        assertThat(check().violations()).singleElement().satisfies(v -> {
            assertThat(v.check()).isEqualTo("spill-order");
            assertThat(v.id()).isEqualTo("b");
        });
    }

    @Test
    void anEventPublishedWhileTheEarlierOneWasStillInFlightMayPassIt() {
        op("a", 0, 0, 5, Outcome.SPILLED); // its direct send failed at 5 ms, after b was published
        op("b", 1, 1, 2, Outcome.ok(0, 0));
        stored("b", 0);
        stored("a", 1);
        assertThat(check().violations()).isEmpty();
    }
}
