package io.breakwater.it;

import io.breakwater.breaker.CircuitBreaker;
import io.breakwater.interceptors.CircuitBreakerProducer;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringSerializer;

/**
 * One application instance of a fleet, in a JVM of its own, for {@link FleetControlIT} and {@link FleetStatusIT}: a
 * wrapped producer configured only by properties (breaker {@code orders}, instance {@code args[3]}, status topic
 * {@code args[1]} with a heartbeat every {@code args[5]} ms, the control topic {@code args[2]} followed), sending a
 * record to {@code args[4]} every 100 ms. It prints {@code ready <state>} once the producer is made (so after a
 * standing command was applied), {@code transition <state> <reason>} for each transition, and closes the producer
 * cleanly when its standard input says {@code stop} or ends.
 */
public final class FleetInstanceMain {

    private FleetInstanceMain() {
    }

    public static void main(String[] args) throws Exception {
        Map<String, Object> props = new HashMap<>();
        props.put("bootstrap.servers", args[0]);
        props.put("key.serializer", StringSerializer.class.getName());
        props.put("value.serializer", StringSerializer.class.getName());
        props.put("max.block.ms", "2000");
        props.put("breakwater.breaker.name", "orders");
        props.put("breakwater.instance.id", args[3]);
        props.put("breakwater.status.topic", args[1]);
        props.put("breakwater.status.heartbeat.ms", args[5]);
        props.put("breakwater.control.enabled", "true");
        props.put("breakwater.control.topic", args[2]);
        CircuitBreakerProducer<String, String> producer = CircuitBreakerProducer.wrap(new KafkaProducer<>(props), props);
        CircuitBreaker breaker = producer.breaker();
        breaker.onTransition(t -> say("transition " + t.to() + " " + t.reason()));
        say("ready " + breaker.state());
        Thread sender = new Thread(() -> {
            for (long i = 0; !Thread.currentThread().isInterrupted(); i++) {
                try {
                    producer.send(new ProducerRecord<>(args[4], "k" + i % 8, "event-" + i));
                } catch (RuntimeException e) {
                    // refused (FORCED_OPEN) or closing: the breaker says which
                }
                LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(100)); // the pace of the load, not a wait
            }
        }, "fleet-sender");
        sender.setDaemon(true);
        sender.start();
        try (BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8))) {
            String line;
            while ((line = in.readLine()) != null && !line.trim().equals("stop")) {
                // wait for stop
            }
        }
        sender.interrupt();
        sender.join(5_000);
        producer.close(Duration.ofSeconds(10));
        say("stopped");
    }

    private static void say(String line) {
        synchronized (System.out) {
            System.out.println(line);
            System.out.flush();
        }
    }
}
