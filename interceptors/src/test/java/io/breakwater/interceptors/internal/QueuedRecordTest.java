package io.breakwater.interceptors.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import java.lang.ref.WeakReference;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;
import org.apache.kafka.clients.producer.Callback;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.Test;

/** A queued record is the future its caller gets: made on demand, completed once, after the callback, on every path. */
class QueuedRecordTest {

    private static final RecordMetadata METADATA = new RecordMetadata(new TopicPartition("orders", 3), 7, 0, 0, 0, 0);

    private static QueuedRecord<String, String> entry(Callback callback) {
        return new QueuedRecord<>(new ProducerRecord<>("orders", "k", "v"), callback, null);
    }

    @Test
    void aFutureFirstAskedForAfterTheAnswerHasIt() throws Exception {
        QueuedRecord<String, String> entry = entry(null);
        entry.onCompletion(METADATA, null);

        assertThat(entry.isDone()).isTrue();
        assertThat(entry.get()).isSameAs(METADATA);
        assertThat(entry.get(1, TimeUnit.SECONDS)).isSameAs(METADATA);
    }

    @Test
    void aFutureAskedForBeforeTheAnswerFailsWithIt() {
        QueuedRecord<String, String> entry = entry(null);
        assertThat(entry.isDone()).isFalse();
        IllegalStateException failure = new IllegalStateException("broker said no");

        entry.onCompletion(null, failure);

        assertThatThrownBy(entry::get).isInstanceOf(ExecutionException.class).hasCauseReference(failure);
    }

    @Test
    void theCallbackRunsOnceAndBeforeTheFutureCompletes() throws Exception {
        AtomicInteger calls = new AtomicInteger();
        List<Boolean> doneInCallback = new ArrayList<>();
        QueuedRecord<String, String>[] self = new QueuedRecord[1];
        self[0] = entry((metadata, e) -> {
            calls.incrementAndGet();
            doneInCallback.add(self[0].isDone());
        });

        self[0].onCompletion(METADATA, null);
        self[0].onCompletion(null, new IllegalStateException("a second answer"));
        self[0].fail(new IllegalStateException("failed after the answer"));

        assertThat(calls).hasValue(1);
        assertThat(doneInCallback).containsExactly(false);
        assertThat(self[0].get()).isSameAs(METADATA);
    }

    @Test
    void failNamesTheRecordsTopicAndPartitionUntilItIsSettled() {
        List<RecordMetadata> told = new ArrayList<>();
        QueuedRecord<String, String> entry = new QueuedRecord<>(new ProducerRecord<>("orders", 5, "k", "v"),
                (metadata, e) -> told.add(metadata), null);
        IllegalStateException failure = new IllegalStateException("closed");

        entry.fail(failure);

        assertThat(told).singleElement().satisfies(m -> {
            assertThat(m.topic()).isEqualTo("orders");
            assertThat(m.partition()).isEqualTo(5);
        });
        assertThatThrownBy(entry::get).hasCauseReference(failure);
    }

    @Test
    void aFutureIsNeverCancelledAsKafkasIsNotForTheRecordStillGoes() throws Exception {
        AtomicInteger calls = new AtomicInteger();
        QueuedRecord<String, String> entry = entry((metadata, e) -> calls.incrementAndGet());

        assertThat(entry.cancel(true)).as("as Kafka's future: a record handed over cannot be called back").isFalse();
        assertThat(entry.isCancelled()).isFalse();
        assertThat(entry.isDone()).isFalse();
        entry.onCompletion(METADATA, null);

        assertThat(entry.isCancelled()).isFalse();
        assertThat(calls).hasValue(1);
        assertThat(entry.get()).isSameAs(METADATA);
    }

    @Test
    void aFutureAskedForWhileTheAnswerArrivesAlwaysCompletes() throws Exception {
        int n = 20_000;
        List<QueuedRecord<String, String>> entries = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            entries.add(entry(null));
        }
        // One thread answers the records in order while this one waits on each in the same order: their looks at the
        // future and their answers interleave every which way.
        CompletableFuture<Void> answering = CompletableFuture.runAsync(() -> entries.forEach(e -> e.onCompletion(METADATA, null)));
        for (QueuedRecord<String, String> e : entries) {
            assertThat(e.get(10, TimeUnit.SECONDS)).isSameAs(METADATA);
        }
        answering.get(10, TimeUnit.SECONDS);
    }

    @Test
    void aSettledRecordLetsGoOfItsRecordCallbackAndGateWhileItsFutureIsHeld() {
        Object[] parts = {new byte[1 << 20], new Object(), new Object()};
        WeakReference<Object> value = new WeakReference<>(parts[0]);
        WeakReference<Object> callbackState = new WeakReference<>(parts[1]);
        WeakReference<Object> gateState = new WeakReference<>(parts[2]);
        QueuedRecord<String, byte[]> held = settled(parts);
        parts = null;

        await().atMost(Duration.ofSeconds(10)).until(() -> {
            System.gc();
            return value.get() == null && callbackState.get() == null && gateState.get() == null;
        });
        assertThat(held.isDone()).isTrue();
    }

    private static QueuedRecord<String, byte[]> settled(Object[] parts) {
        byte[] payload = (byte[]) parts[0];
        Object callbackState = parts[1];
        Object gateState = parts[2];
        Callback callback = (metadata, e) -> assertThat(callbackState).isNotNull();
        Supplier<RuntimeException> gate = () -> gateState == null ? new IllegalStateException() : null;
        QueuedRecord<String, byte[]> entry = new QueuedRecord<>(new ProducerRecord<>("orders", "k", payload), callback, gate);
        entry.onCompletion(METADATA, null);
        return entry;
    }
}
