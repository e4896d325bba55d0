package io.breakwater.bench;

import io.breakwater.breaker.CircuitBreaker;
import io.breakwater.breaker.CircuitBreakerConfig;
import io.breakwater.breaker.CircuitBreakerState;
import io.breakwater.interceptors.CircuitBreakerProducer;
import io.breakwater.testkit.FaultProxy;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;

/** A frozen broker (its proxy black-holes every connection), 4 sending threads: the wrapper beside a plain producer. */
final class Outage {

    record Result(double timeToOpenSeconds, double rejectedP50Micros, double rejectedP99Micros, long rejectedSends,
                  double timeToCloseSeconds, double plainBlockedSeconds, String plainOutcome) {
    }

    private Outage() {
    }

    /** How fast the wrapper opens, how fast it rejects, how fast it closes; a plain producer beside it. */
    static Result run(BenchBroker broker) throws Exception {
        broker.createTopics(List.of("e2e-outage"));
        FaultProxy proxy = broker.forked().proxy();
        String proxied = broker.forked().bootstrapServers();
        CircuitBreaker breaker = CircuitBreaker.of(CircuitBreakerConfig.builder("e2e-outage")
                .resetTimeout(java.time.Duration.ofSeconds(3)).build());
        Map<String, Object> plainProps = Variants.props(proxied, 5);
        plainProps.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, 10_000);
        ConcurrentLinkedQueue<Long> rejected = new ConcurrentLinkedQueue<>();
        AtomicBoolean sending = new AtomicBoolean(true);
        byte[] value = new byte[Variants.VALUE_BYTES];
        try (CircuitBreakerProducer<String, byte[]> wrapped =
                     CircuitBreakerProducer.wrap(new KafkaProducer<>(Variants.props(proxied, 5)), breaker);
             Producer<String, byte[]> plain = new KafkaProducer<>(plainProps)) {
            wrapped.send(new ProducerRecord<>("e2e-outage", "k", value)).get(30, TimeUnit.SECONDS);
            List<Thread> senders = new ArrayList<>();
            for (int t = 0; t < 4; t++) {
                Thread sender = new Thread(() -> {
                    while (sending.get()) {
                        long t0 = System.nanoTime();
                        java.util.concurrent.Future<?> f = wrapped.send(new ProducerRecord<>("e2e-outage", "k", value));
                        long took = System.nanoTime() - t0;
                        // A rejected send returns a CompletableFuture already failed; the producer's own futures are not.
                        if (f instanceof CompletableFuture<?> c && c.isCompletedExceptionally() && breaker.state() == CircuitBreakerState.OPEN) {
                            rejected.add(took);
                        }
                        java.util.concurrent.locks.LockSupport.parkNanos(1_000_000); // about 1,000 sends/s in all
                    }
                }, "outage-sender-" + t);
                sender.setDaemon(true);
                sender.start();
                senders.add(sender);
            }
            proxy.blackHole();
            long fault = System.nanoTime();
            CompletableFuture<String> plainSend = CompletableFuture.supplyAsync(() -> {
                long t0 = System.nanoTime();
                try {
                    plain.send(new ProducerRecord<>("never-seen-" + UUID.randomUUID(), "k", value)).get();
                    return "acknowledged after " + seconds(System.nanoTime() - t0);
                } catch (Exception e) {
                    return (e.getCause() != null ? e.getCause().getClass().getSimpleName() : e.getClass().getSimpleName())
                            + " after " + seconds(System.nanoTime() - t0);
                }
            });
            awaitState(breaker, CircuitBreakerState.OPEN, 30);
            double toOpen = (System.nanoTime() - fault) / 1e9;
            java.util.concurrent.locks.LockSupport.parkNanos(TimeUnit.SECONDS.toNanos(2)); // a while open, rejecting
            String plainOutcome = plainSend.get(60, TimeUnit.SECONDS);
            double plainBlocked = (System.nanoTime() - fault) / 1e9;
            proxy.pass();
            long restored = System.nanoTime();
            awaitState(breaker, CircuitBreakerState.CLOSED, 60);
            double toClose = (System.nanoTime() - restored) / 1e9;
            sending.set(false);
            for (Thread t : senders) {
                t.join(10_000);
            }
            long[] r = rejected.stream().mapToLong(Long::longValue).sorted().toArray();
            return new Result(toOpen, r.length == 0 ? -1 : r[r.length / 2] / 1e3, r.length == 0 ? -1 : r[(int) (r.length * 0.99)] / 1e3,
                    r.length, toClose, plainBlocked, plainOutcome);
        } finally {
            proxy.pass();
        }
    }

    private static String seconds(long nanos) {
        return String.format(Locale.ROOT, "%.1f s", nanos / 1e9);
    }

    private static void awaitState(CircuitBreaker breaker, CircuitBreakerState state, int seconds) {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
        while (breaker.state() != state) {
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException(breaker.name() + " not " + state + " within " + seconds + " s");
            }
            java.util.concurrent.locks.LockSupport.parkNanos(1_000_000);
        }
    }

    static void report(StringBuilder md, Result o) {
        md.append("### A frozen broker (the proxy black-holes every connection), 4 sending threads\n\n");
        md.append("| | CircuitBreakerProducer | plain KafkaProducer |\n|---|---|---|\n");
        md.append(String.format(Locale.ROOT, "| time to open after the fault | %.2f s | — (no breaker) |%n", o.timeToOpenSeconds()));
        md.append(String.format(Locale.ROOT, "| a send while open | p50 %.1f µs, p99 %.1f µs (%d rejected sends) | "
                + "one send to a topic without metadata: %s (max.block.ms=10 s here; 60 s by default) |%n",
                o.rejectedP50Micros(), o.rejectedP99Micros(), o.rejectedSends(), o.plainOutcome()));
        md.append(String.format(Locale.ROOT, "| time to close after the broker is back (reset timeout 3 s) | %.2f s | — |%n%n",
                o.timeToCloseSeconds()));
    }
}
