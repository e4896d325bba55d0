package io.breakwater.bench;

import io.breakwater.breaker.CircuitBreaker;
import io.breakwater.eventbus.EventBus;
import io.breakwater.interceptors.CircuitBreakerProducer;
import io.breakwater.spill.SqliteSpillStore;
import io.breakwater.transport.redpanda.RedpandaTransport;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Consumer;
import org.apache.kafka.clients.producer.Callback;
import org.apache.kafka.clients.producer.MockProducer;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;

/**
 * What each guard costs the client per record, without a broker: every variant sends over Kafka's {@code MockProducer},
 * which answers each send at once, so what is left is the client's own work (the guard's, and the mock's, which the
 * bare mock measures alone). Per record: this JVM's CPU time over a burst (every thread: the caller, a sender thread,
 * the collector) and the burst's wall time. Interleaved rounds, the median shown. The interceptor is left out: Kafka
 * runs interceptors only inside its real producer.
 */
final class ClientCost {

    static final String MOCK = "MockProducer alone";

    /** One variant: the median CPU and wall time per record, and the CPU it adds to the bare mock's, in nanoseconds. */
    record Row(String variant, double cpuNanos, double wallNanos, double addedCpuNanos) {
    }

    record Results(List<Row> rows, int records, int rounds) {
    }

    private interface Sender extends AutoCloseable {
        void send(int i, byte[] value, Consumer<Throwable> done);

        @Override
        void close();
    }

    private ClientCost() {
    }

    static Results run(BenchConfig c, Path spillDir) throws Exception {
        int records = c.costRecords();
        Map<String, Sender> senders = new LinkedHashMap<>();
        try {
            senders.put(MOCK, producer(mock(), null));
            senders.put(Variants.WRAPPED, producer(CircuitBreakerProducer.wrap(mock(), CircuitBreaker.ofDefaults("cost-wrapped")),
                    null));
            Producer<String, byte[]> nonBlocking = CircuitBreakerProducer.builder(mock())
                    .breaker(CircuitBreaker.ofDefaults("cost-nonblocking")).nonBlocking(true).sendQueueMaxRecords(records).build();
            senders.put(Variants.NON_BLOCKING, producer(nonBlocking, Duration.ofSeconds(30)));
            senders.put(Variants.BUS, bus(EventBus.builder(transport(records)).build()));
            senders.put(Variants.BUS_SPILL, bus(EventBus.builder(transport(records))
                    .spill(SqliteSpillStore.open(spillDir.resolve("cost-spill.db"))).build()));
            Map<String, List<double[]>> samples = new LinkedHashMap<>();
            List<String> names = new ArrayList<>(senders.keySet());
            for (int round = 0; round <= c.rounds(); round++) {
                for (int i = 0; i < names.size(); i++) {
                    String name = names.get((round + i) % names.size());
                    double[] perRecord = burst(name, senders.get(name), round == 0 ? Math.max(1, records / 5) : records);
                    if (round > 0) {   // round 0 warms every path up
                        samples.computeIfAbsent(name, k -> new ArrayList<>()).add(perRecord);
                    }
                }
            }
            double mockCpu = median(samples.get(MOCK), 0);
            List<Row> rows = new ArrayList<>();
            for (String name : names) {
                double cpu = median(samples.get(name), 0);
                rows.add(new Row(name, cpu, median(samples.get(name), 1), cpu - mockCpu));
            }
            return new Results(rows, records, c.rounds());
        } finally {
            for (Sender s : senders.values()) {
                s.close();
            }
        }
    }

    // Records a burst may have unanswered at once. Without a bound, a caller faster than a sender thread fills its queue
    // with most of the burst, and what is measured is a queue that old collections copy, not a record's cost.
    static final int WINDOW = 1_000;

    /** Sends {@code n} records, at most {@link #WINDOW} unanswered, and waits for every answer: CPU and wall ns per record. */
    private static double[] burst(String name, Sender sender, int n) throws InterruptedException {
        byte[] value = new byte[Variants.VALUE_BYTES];
        Answers answers = new Answers();
        AtomicReference<Throwable> failed = new AtomicReference<>();
        long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(2);
        long cpu = EndToEnd.processCpuNanos();
        long start = System.nanoTime();
        for (int i = 0; i < n; i++) {
            // Half a window at a time: a caller that waited for each answer would measure one wake-up per record.
            if (i % (WINDOW / 2) == 0 && !answers.await(i + WINDOW / 2 - WINDOW, deadline)) {
                throw new IllegalStateException(name + ": " + answers.count() + " of " + i + " records answered within 2 minutes");
            }
            sender.send(i, value, error -> {
                if (error != null) {
                    failed.compareAndSet(null, error);
                }
                answers.answer();
            });
        }
        if (!answers.await(n, deadline)) {
            throw new IllegalStateException(name + ": not every record was answered within 2 minutes");
        }
        if (failed.get() != null) {
            throw new IllegalStateException(name + ": a record failed", failed.get());
        }
        long wall = System.nanoTime() - start;
        double[] perRecord = {(EndToEnd.processCpuNanos() - cpu) / (double) n, wall / (double) n};
        MOCKS.forEach(MockProducer::clear);
        return perRecord;
    }

    /**
     * The answers of a burst, counted; the caller waits for a count and is woken once, by the answer that reaches it. (A
     * semaphore the caller acquired half a window of wakes it at every answer while it waits, only for it to park again:
     * a wake-up per record, on the cost of the variants that answer on another thread, not the guard's own work.)
     */
    private static final class Answers {
        private final Thread caller = Thread.currentThread();
        private final AtomicLong answered = new AtomicLong();
        // The count the caller waits for (Long.MAX_VALUE: none). Written before the caller reads the count, read after
        // each answer counts: whichever comes second sees the other, so the answer that reaches it is never missed.
        private volatile long wakeAt = Long.MAX_VALUE;

        void answer() {
            if (answered.incrementAndGet() == wakeAt) {
                LockSupport.unpark(caller);
            }
        }

        long count() {
            return answered.get();
        }

        /** Waits until at least {@code count} answers came; false if not by {@code deadline} (System.nanoTime()). */
        boolean await(long count, long deadline) {
            wakeAt = count;
            try {
                while (answered.get() < count) {
                    long left = deadline - System.nanoTime();
                    if (left <= 0) {
                        return false;
                    }
                    LockSupport.parkNanos(this, left);
                }
                return true;
            } finally {
                wakeAt = Long.MAX_VALUE;
            }
        }
    }

    // Every mock made; each forgets what it was sent every CLEAR_EVERY records, and after each burst.
    private static final List<MockProducer<String, byte[]>> MOCKS = new java.util.concurrent.CopyOnWriteArrayList<>();
    static final int CLEAR_EVERY = 1024;

    private static MockProducer<String, byte[]> mock() {
        MockProducer<String, byte[]> mock = new Forgetful();
        MOCKS.add(mock);
        return mock;
    }

    /**
     * A {@code MockProducer} that keeps at most {@link #CLEAR_EVERY} of the records it was sent. Kept whole, a burst's
     * records (100 MB and more) would survive young collections and be copied by each, and the variant a collection
     * happened to fall in would pay for all of them: what is measured here is each variant's own work.
     */
    static final class Forgetful extends MockProducer<String, byte[]> {
        private int sends;

        Forgetful() {
            super(true, null, new StringSerializer(), new ByteArraySerializer());
        }

        @Override
        public synchronized Future<RecordMetadata> send(ProducerRecord<String, byte[]> record, Callback callback) {
            var sent = super.send(record, callback);
            if (++sends == CLEAR_EVERY) {
                sends = 0;
                clear();
            }
            return sent;
        }
    }

    private static RedpandaTransport transport(int queue) {
        return RedpandaTransport.builder(mock()).codec(new Variants.Bytes()).sendQueueMaxRecords(queue).build();
    }

    private static Sender producer(Producer<String, byte[]> producer, Duration closeTimeout) {
        return new Sender() {
            @Override
            public void send(int i, byte[] value, Consumer<Throwable> done) {
                producer.send(new ProducerRecord<>("cost", Variants.key(i), value), (metadata, error) -> done.accept(error));
            }

            @Override
            public void close() {
                producer.close(closeTimeout == null ? Duration.ofSeconds(5) : closeTimeout);
            }
        };
    }

    private static Sender bus(EventBus bus) {
        return new Sender() {
            @Override
            public void send(int i, byte[] value, Consumer<Throwable> done) {
                bus.publishStream("cost", Variants.key(i), value, Map.of()).whenComplete((r, e) -> done.accept(e));
            }

            @Override
            public void close() {
                bus.close(Duration.ofSeconds(5));
            }
        };
    }

    private static double median(List<double[]> samples, int index) {
        return EndToEnd.median(samples.stream().mapToDouble(s -> s[index]).sorted().toArray());
    }

    static void report(StringBuilder md, Results r) {
        md.append("## The client's cost per record, without a broker\n\n");
        md.append("Every variant sends over Kafka's `MockProducer`, which answers each send at once (and here forgets the ")
                .append("records it was sent every ").append(CLEAR_EVERY).append(": kept whole, a burst's records would be ")
                .append("copied by every young collection in it, at the cost of whichever variant it fell in), so what is measured is ")
                .append("the client's work alone, the guard's and the mock's (the bare mock's row). Each sends ")
                .append(r.records()).append(" records of ").append(Variants.VALUE_BYTES).append(" bytes as fast as it can, ")
                .append("with at most ").append(WINDOW).append(" unanswered (a caller that ran ahead of a sender thread would ")
                .append("measure its queue), and waits for every answer; after a warm-up round, ").append(r.rounds()).append(" rounds, each ")
                .append("starting with another variant; the median round. CPU: this JVM's CPU time over the burst (every ")
                .append("thread: the caller, a sender thread, the collector) per record, as the operating system counts it, ")
                .append("in ticks of 10 ms (").append(String.format(Locale.ROOT, "%.0f", 1e7 / r.records()))
                .append(" ns per record over a burst); added: over the bare mock's. ")
                .append("Against a real broker on the same cores, each nanosecond added is one the broker does not get. ")
                .append("The interceptor is not here: Kafka runs interceptors only inside its real producer.\n\n");
        md.append("| variant | CPU per record | added to the mock's | wall time per record |\n|---|---|---|---|\n");
        for (Row row : r.rows()) {
            md.append(String.format(Locale.ROOT, "| %s | %.0f ns | %s | %.0f ns |%n", row.variant(), row.cpuNanos(),
                    row.variant().equals(MOCK) ? "—" : String.format(Locale.ROOT, "%+.0f ns", row.addedCpuNanos()),
                    row.wallNanos()));
        }
        md.append('\n');
    }
}
