package io.breakwater.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.breakwater.breaker.CircuitBreaker;
import io.breakwater.breaker.CircuitBreakerConfig;
import io.breakwater.breaker.CircuitBreakerState;
import io.breakwater.breaker.ManualClock;
import io.breakwater.consumer.ConsumerStats;
import io.breakwater.consumer.GatedConsumer;
import io.breakwater.testkit.RealBroker;
import io.breakwater.testkit.TestBroker;
import java.io.IOException;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * GatedConsumer on a real broker (the one {@link RealBroker} selects: the embedded Kafka here). The handler writes to a "dependency" that the test takes
 * down and brings back; the consumer's breaker (3 failures, a 6 s reset) gates it. Members have
 * {@code max.poll.interval.ms} = 2 s, so an OPEN breaker outlasts it three times: a consumer that stopped polling
 * while paused would be thrown out of its group. The test of a member joining a paused group gives the breaker a 15 s
 * reset: the join's rebalance must end before the breaker's trial, whatever the machine's load.
 */
@RealBroker
@Timed
class GatedConsumerIT {

    private static final int PARTITIONS = 4;
    private static final Duration MAX_POLL_INTERVAL = Duration.ofSeconds(2);
    private static final Duration WAIT = Duration.ofSeconds(60);
    private static final Duration RESET_TIMEOUT = Duration.ofSeconds(6);

    private TestBroker kafka;

    private final AtomicBoolean down = new AtomicBoolean();
    /** Handler calls made while the breaker was OPEN or FORCED_OPEN: there must be none. */
    private final List<String> callsWhileOpen = new CopyOnWriteArrayList<>();
    private final List<GatedConsumer<String, String>> members = new CopyOnWriteArrayList<>();
    private CircuitBreaker breaker;
    // The breaker's clock, and so the loop's: the reset timeout passes when the test says, however long its steps took.
    private final ManualClock clock = new ManualClock();
    private GroupWatch watch;

    @BeforeEach
    void broker(TestBroker broker) {
        kafka = broker;
    }

    @AfterEach
    void closeMembers() {
        members.forEach(m -> m.close(Duration.ofSeconds(10)));
    }

    private void setUp(String name) {
        String topic = name + "-" + UUID.randomUUID();
        kafka.createTopic(topic, PARTITIONS, 1, Map.of());
        watch = new GroupWatch(kafka.admin(), topic, "group-" + topic);
        watch.awaitLeaders(PARTITIONS);
        breaker = CircuitBreaker.of(CircuitBreakerConfig.builder("dependency-" + name).failureThreshold(3)
                .resetTimeout(RESET_TIMEOUT).halfOpenMaxCalls(3).successThreshold(3).clock(clock).build());
    }

    /** A member of the group, started; its handler writes to the dependency, which fails while it is down. */
    private GatedConsumer<String, String> member(String memberName) {
        GatedConsumer<String, String> member = GatedConsumer.builder(
                        watch.consumerProperties(kafka.bootstrapServers(), MAX_POLL_INTERVAL),
                        new StringDeserializer(), new StringDeserializer(), breaker)
                .name(memberName)
                .topics(watch.topic)
                .rebalanceListener(watch.listener(memberName))
                .recordHandler(r -> {
                    if (breaker.state().rejectsCalls()) {
                        callsWhileOpen.add(memberName + " " + r.partition() + "@" + r.offset());
                    }
                    if (down.get()) {
                        throw new IOException("dependency down");
                    }
                    watch.succeeded(r.partition(), r.offset());
                })
                .build();
        members.add(member);
        return member.start();
    }

    /** {@code count} records, spread evenly over the partitions, every acknowledgement awaited. */
    private void produce(int count) throws Exception {
        try (KafkaProducer<String, String> producer = Records.producer(kafka.bootstrapServers(), Map.of())) {
            for (int i = 0; i < count; i++) {
                producer.send(new ProducerRecord<>(watch.topic, i % PARTITIONS, "k" + i, "v" + i));
            }
            producer.flush();
        }
    }

    @Test
    @Timeout(120)
    void anOpenBreakerPausesTheConsumerWhichStaysInItsGroupThenResumesAndEveryRecordIsHandledOnceInOrder() throws Exception {
        setUp("pause");
        GatedConsumer<String, String> consumer = member("single");
        produce(200);
        await().atMost(WAIT).until(() -> watch.handledCount() == 200);

        down.set(true);
        produce(200);
        await().atMost(WAIT).until(() -> breaker.state() == CircuitBreakerState.OPEN);
        await().atMost(WAIT).until(() -> GroupWatch.allPaused(PARTITIONS, consumer));
        // Committed offsets never pass a failure: each partition's is exactly one past its last success.
        await().atMost(WAIT).until(() -> watch.committed().equals(watch.handledPerPartition()));
        long lagAtOpen = watch.lag(PARTITIONS);
        produce(200);
        long lagWhilePaused = watch.lag(PARTITIONS);
        down.set(false);
        clock.advance(RESET_TIMEOUT);
        await().atMost(WAIT).until(() -> breaker.state() == CircuitBreakerState.CLOSED);
        await().atMost(WAIT).until(() -> watch.handledCount() == 600);
        await().atMost(WAIT).until(() -> watch.committed().equals(watch.endOffsets(PARTITIONS)));

        assertThat(lagWhilePaused).isEqualTo(lagAtOpen + 200);
        assertThat(callsWhileOpen).isEmpty();
        assertThat(watch.rebalances).hasSize(1).first().asString().startsWith("single: assigned ");
        assertThat(watch.noGapNoRepeat()).isTrue();
        assertThat(watch.committed().values()).containsOnly(150L);
        ConsumerStats stats = consumer.stats();
        assertThat(stats.trialRecords()).isEqualTo(3);
        assertThat(stats.recordsRedelivered()).isPositive();
        assertThat(stats.pauses()).isEqualTo(1);
        assertThat(stats.timePaused()).as("on the breaker's clock").isGreaterThanOrEqualTo(RESET_TIMEOUT);
        assertThat(stats.state()).isEqualTo(ConsumerStats.State.RUNNING);
    }

    @Test
    @Timeout(120)
    void aSecondMemberJoiningWhilePausedStartsPausedAndTheFirstKeepsItsNewAssignmentPaused() throws Exception {
        setUp("rebalance");
        GatedConsumer<String, String> first = member("first");
        produce(200);
        await().atMost(WAIT).until(() -> watch.handledCount() == 200);

        down.set(true);
        produce(200);
        await().atMost(WAIT).until(() -> GroupWatch.allPaused(PARTITIONS, first));
        Map<Integer, Long> handledBeforeJoin = watch.handledPerPartition();
        GatedConsumer<String, String> second = member("second");
        await().atMost(WAIT).until(() -> second.stats().assignedPartitions() > 0
                && first.stats().assignedPartitions() < PARTITIONS);
        await().atMost(WAIT).until(() -> GroupWatch.allPaused(PARTITIONS, first, second));
        assertThat(breaker.state()).as("no trial during the rebalance").isEqualTo(CircuitBreakerState.OPEN);

        // Revoked partitions committed what was handled of them, and nothing more.
        assertThat(watch.committed()).isEqualTo(handledBeforeJoin);
        assertThat(watch.handledPerPartition()).isEqualTo(handledBeforeJoin);
        assertThat(watch.rebalances).anyMatch(r -> r.startsWith("first: revoked"));
        down.set(false);
        clock.advance(RESET_TIMEOUT);
        await().atMost(WAIT).until(() -> breaker.state() == CircuitBreakerState.CLOSED);
        await().atMost(WAIT).until(() -> watch.handledCount() == 400);
        await().atMost(WAIT).until(() -> watch.committed().equals(watch.endOffsets(PARTITIONS)));

        assertThat(callsWhileOpen).isEmpty();
        assertThat(watch.noGapNoRepeat()).isTrue();
        assertThat(first.stats().recordsHandled() + second.stats().recordsHandled()).isEqualTo(400);
        assertThat(first.stats().trialRecords() + second.stats().trialRecords()).isEqualTo(3);
    }
}
