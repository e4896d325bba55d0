package io.breakwater.status.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.breakwater.breaker.CircuitBreakerState;
import io.breakwater.breaker.ManualClock;
import io.breakwater.status.StatusEvent;
import io.breakwater.status.StatusMessage;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** What waits while the status cluster is away, and what the publisher's thread is handed to send. */
class PendingMessagesTest {

    private static final Instant T0 = Instant.parse("2026-12-03T10:00:00Z");

    /** The {@code sequence}th transition of {@code breaker}: CLOSED to OPEN when odd, back when even. */
    private static StatusEvent transition(String breaker, long sequence) {
        boolean opens = sequence % 2 == 1;
        return new StatusEvent(StatusEvent.SCHEMA, breaker, "orders-1",
                opens ? CircuitBreakerState.CLOSED : CircuitBreakerState.OPEN,
                opens ? CircuitBreakerState.OPEN : CircuitBreakerState.CLOSED,
                T0.plusMillis(sequence), "test", 0, 0, 0, 0, null, sequence);
    }

    private static long newestSequenceOf(List<StatusMessage> waiting, String breaker) {
        return waiting.stream().filter(m -> m.key().equals(StatusEvent.key("orders-1", breaker)))
                .mapToLong(StatusMessage::sequence).max().orElse(-1);
    }

    @Test
    void pastItsRoomForHistoryEveryKeyKeepsItsNewestEventAndTheRestIsCounted() {
        PendingMessages pending = new PendingMessages(10);
        for (long sequence = 1; sequence <= 3; sequence++) {
            for (int b = 0; b < 8; b++) {
                pending.offer(transition("stream-" + b, sequence));
            }
        }
        // 24 offered: 8 newest and 16 older ones, more than the 10 of history; the 17th older one cut every key down.
        List<StatusMessage> waiting = pending.snapshot();
        for (int b = 0; b < 8; b++) {
            assertThat(newestSequenceOf(waiting, "stream-" + b)).as("stream-%d's latest state", b).isEqualTo(3);
        }
        assertThat(pending.size()).isEqualTo(waiting.size());
        assertThat(pending.dropped() + waiting.size()).as("every offered event sent or counted").isEqualTo(24);
        assertThat(pending.dropped()).isPositive();
    }

    @Test
    void aKeysOldestEventsGoFirstPastItsOwnLimit() {
        PendingMessages pending = new PendingMessages(PublisherCore.MAX_HISTORY);
        int offered = PublisherCore.MAX_EVENTS_PER_KEY + 5;
        for (long sequence = 1; sequence <= offered; sequence++) {
            pending.offer(transition("flapping", sequence));
        }
        assertThat(pending.snapshot()).extracting(StatusMessage::sequence).hasSize(PublisherCore.MAX_EVENTS_PER_KEY)
                .startsWith(6L).endsWith((long) offered);
        assertThat(pending.dropped()).isEqualTo(5);
    }

    @Test
    void theThreadIsHandedEachKeysFirstEventUpToItsLimitAndMoreOnlyOnceTheyWent() throws Exception {
        PendingMessages pending = new PendingMessages(PublisherCore.MAX_HISTORY);
        for (long sequence = 1; sequence <= 2; sequence++) {
            for (int b = 0; b < 3; b++) {
                pending.offer(transition("stream-" + b, sequence));
            }
        }
        List<StatusMessage> first = pending.awaitNext(2);
        assertThat(first).extracting(StatusMessage::key, StatusMessage::sequence).containsExactly(
                org.assertj.core.groups.Tuple.tuple("orders-1/stream-0", 1L),
                org.assertj.core.groups.Tuple.tuple("orders-1/stream-1", 1L));

        pending.sent(first.get(0));
        assertThat(pending.awaitNext(10)).as("stream-1's first did not go: it comes again, before its second")
                .extracting(StatusMessage::key, StatusMessage::sequence).containsExactly(
                        org.assertj.core.groups.Tuple.tuple("orders-1/stream-0", 2L),
                        org.assertj.core.groups.Tuple.tuple("orders-1/stream-1", 1L),
                        org.assertj.core.groups.Tuple.tuple("orders-1/stream-2", 1L));
        assertThat(pending.size()).isEqualTo(5);
    }

    @Test
    void aBadLimitIsNamed() {
        assertThatThrownBy(() -> new PendingMessages(0)).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("maxHistory must be at least 1, was 0");
    }

    @Test
    void everyBreakerOfAStartOfTwentyThousandWaitsWhileTheClusterIsAway() {
        PublisherCore core = new PublisherCore(Map.of("bootstrap.servers", "127.0.0.1:1"), "breakwater-status",
                "many-" + System.nanoTime(), Duration.ofSeconds(30), new ManualClock());
        try {
            for (int b = 0; b < 20_000; b++) {
                core.publish(transition("stream-" + b, 1));
            }
            assertThat(core.pendingMessages()).filteredOn(StatusEvent.class::isInstance).hasSize(20_000);
            assertThat(core.dropped()).isZero();
        } finally {
            core.close(Duration.ZERO);
        }
    }

    @Test
    void newEventsDoNotCutTheBackOffShortButACloseDoes() throws Exception {
        PendingMessages pending = new PendingMessages(PublisherCore.MAX_HISTORY);
        long[] waitedMillis = {-1};
        Thread publisher = new Thread(() -> {
            long start = System.nanoTime();
            try {
                pending.backOff(600);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            waitedMillis[0] = (System.nanoTime() - start) / 1_000_000;
        });
        publisher.start();
        for (long sequence = 1; publisher.isAlive() && sequence <= 20; sequence++) {
            pending.offer(transition("flapping", sequence));   // breakers moving while the cluster is away
            publisher.join(20);
        }
        publisher.join(10_000);
        assertThat(waitedMillis[0]).as("waited its 600 ms through 20 new events").isGreaterThanOrEqualTo(590);

        Thread closing = new Thread(() -> {
            try {
                pending.backOff(60_000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
        closing.start();
        org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(10))
                .until(() -> closing.getState() == Thread.State.TIMED_WAITING);
        pending.close(System.nanoTime());   // the close's time is up: the back-off ends
        closing.join(10_000);
        assertThat(closing.isAlive()).isFalse();
    }

    @Test
    void anEventBeingSentIsNeverDroppedForRoomSoNoneIsCountedBothPublishedAndDropped() throws Exception {
        PendingMessages pending = new PendingMessages(PublisherCore.MAX_HISTORY);
        StatusEvent first = transition("flapping", 1);
        pending.offer(first);
        assertThat(pending.awaitNext(PublisherCore.MAX_IN_FLIGHT)).containsExactly(first);
        int offered = 1 + PublisherCore.MAX_EVENTS_PER_KEY;   // one more than the key's room, while the first is out
        for (long sequence = 2; sequence <= offered; sequence++) {
            pending.offer(transition("flapping", sequence));
        }
        assertThat(pending.snapshot().get(0)).as("the event being sent").isSameAs(first);
        assertThat(pending.snapshot()).extracting(StatusMessage::sequence).doesNotContain(2L);
        pending.sent(first);
        assertThat(1 + pending.dropped() + pending.size()).as("sent, dropped and waiting: each offered event once")
                .isEqualTo(offered);
        assertThat(pending.dropped()).isEqualTo(1);
    }

    @Test
    void cuttingEveryKeyToItsNewestKeepsTheEventBeingSent() throws Exception {
        PendingMessages pending = new PendingMessages(2);
        StatusEvent first = transition("flapping", 1);
        pending.offer(first);
        pending.awaitNext(PublisherCore.MAX_IN_FLIGHT);
        for (long sequence = 2; sequence <= 4; sequence++) {
            pending.offer(transition("flapping", sequence));   // the 4th makes 3 older than the newest: past 2
        }
        assertThat(pending.snapshot()).extracting(StatusMessage::sequence).containsExactly(1L, 4L);
        pending.sent(first);
        assertThat(pending.snapshot()).extracting(StatusMessage::sequence).containsExactly(4L);
        assertThat(pending.dropped()).isEqualTo(2);
    }

    @Test
    void anEventTheClusterRefusesLeavesCountedAsDroppedAndTheKeysNextComesUp() throws Exception {
        PendingMessages pending = new PendingMessages(PublisherCore.MAX_HISTORY);
        StatusEvent huge = transition("forced", 1);
        pending.offer(huge);
        pending.offer(transition("forced", 2));
        assertThat(pending.awaitNext(PublisherCore.MAX_IN_FLIGHT)).containsExactly(huge);
        pending.refused(huge);
        assertThat(pending.dropped()).isEqualTo(1);
        assertThat(pending.awaitNext(PublisherCore.MAX_IN_FLIGHT)).extracting(StatusMessage::sequence).containsExactly(2L);
    }
}
