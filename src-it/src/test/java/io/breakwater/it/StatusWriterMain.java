package io.breakwater.it;

import io.breakwater.breaker.CircuitBreaker;
import io.breakwater.breaker.CircuitBreakerConfig;
import io.breakwater.breaker.ManualClock;
import io.breakwater.status.StatusPublisher;
import java.time.Duration;
import java.util.Map;

/** Another process for {@link StatusCommandIT}: publishes a few transitions to the status topic, then exits. */
public final class StatusWriterMain {

    private StatusWriterMain() {
    }

    public static void main(String[] args) throws Exception {
        String bootstrap = args[0];
        String topic = args[1];
        ManualClock clock = new ManualClock(java.time.Instant.now());
        CircuitBreaker orders = CircuitBreaker.of(CircuitBreakerConfig.builder("orders").failureThreshold(1).clock(clock).build());
        CircuitBreaker payments = CircuitBreaker.ofDefaults("payments");
        try (StatusPublisher publisher = StatusPublisher.create(Map.of("bootstrap.servers", bootstrap), topic, "writer-1")) {
            publisher.attach(orders);
            publisher.attach(payments);
            orders.recordFailure("broker unreachable");
            clock.advance(Duration.ofSeconds(30));
            orders.canExecute();
            payments.forceOpen();
            if (!publisher.flush(Duration.ofSeconds(30))) {
                System.exit(3);
            }
        }
    }
}
