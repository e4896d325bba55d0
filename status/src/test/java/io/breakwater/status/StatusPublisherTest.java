package io.breakwater.status;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.breakwater.breaker.CircuitBreaker;
import io.breakwater.breaker.CircuitBreakerConfig;
import io.breakwater.breaker.CircuitBreakerRegistry;
import io.breakwater.breaker.ManualClock;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Publishing without a cluster: what waits, what is shared, what is skipped. Nothing here reaches a broker. */
class StatusPublisherTest {

    // Nothing listens on port 1: the events wait.
    private static final Map<String, Object> AWAY = Map.of("bootstrap.servers", "127.0.0.1:1");

    private final ManualClock clock = new ManualClock();

    private CircuitBreaker breaker(String name) {
        return CircuitBreaker.of(CircuitBreakerConfig.builder(name).clock(clock).build());
    }

    @Test
    void aBreakerAttachedByTwoHandlesOfOneInstanceIsPublishedOnce() {
        String instance = "twice-" + System.nanoTime();
        StatusPublisher interceptorSide = StatusPublisher.create(AWAY, "breakwater-status", instance);
        StatusPublisher wrapperSide = StatusPublisher.create(AWAY, "breakwater-status", instance);
        try {
            CircuitBreaker breaker = breaker("orders-producer");
            interceptorSide.attach(breaker);
            wrapperSide.attach(breaker);

            breaker.forceOpen();
            breaker.reset();

            assertThat(interceptorSide.pending()).as("2 transitions, 2 events").isEqualTo(2);
            assertThat(wrapperSide.pending()).as("one queue behind both handles").isEqualTo(2);
        } finally {
            interceptorSide.close(Duration.ZERO);
            wrapperSide.close(Duration.ZERO);
        }
    }

    @Test
    void aBreakerInAnAttachedRegistryAndAttachedAloneIsPublishedOnce() {
        StatusPublisher publisher = StatusPublisher.create(AWAY, "breakwater-status", "both-" + System.nanoTime());
        try {
            CircuitBreakerRegistry registry = new CircuitBreakerRegistry();
            CircuitBreaker breaker = registry.getOrCreate("orders", CircuitBreakerConfig.builder("orders").clock(clock).build());
            publisher.attach(registry);
            publisher.attach(breaker);
            breaker.forceOpen();
            assertThat(publisher.pending()).isEqualTo(1);
            assertThat(publisher.duplicates()).isEqualTo(1);
        } finally {
            publisher.close(Duration.ZERO);
        }
    }

    @Test
    void closingOneHandleKeepsTheOthersPublishing() {
        String instance = "handles-" + System.nanoTime();
        StatusPublisher first = StatusPublisher.create(AWAY, "breakwater-status", instance);
        StatusPublisher second = StatusPublisher.create(AWAY, "breakwater-status", instance);
        CircuitBreaker a = breaker("a");
        first.attach(a);
        first.close(Duration.ZERO);
        a.forceOpen();
        assertThat(second.pending()).as("first's attachment went with it").isZero();
        CircuitBreaker b = breaker("b");
        second.attach(b);
        b.forceOpen();
        assertThat(second.pending()).isEqualTo(1);
        assertThat(second.dropped()).isZero();
        second.close(Duration.ZERO);
        assertThat(second.dropped()).as("the last close counts what could not go").isEqualTo(1);
        assertThatThrownBy(() -> second.attach(breaker("c"))).isInstanceOf(IllegalStateException.class);
    }

    @Test
    void closeIsBoundedEvenWhenTheClusterNeverAnswers() {
        StatusPublisher publisher = StatusPublisher.create(AWAY, "breakwater-status", "bounded-" + System.nanoTime());
        CircuitBreaker breaker = breaker("x");
        publisher.attach(breaker);
        breaker.forceOpen();
        long start = System.nanoTime();
        publisher.close(Duration.ofMillis(200));
        assertThat(Duration.ofNanos(System.nanoTime() - start)).as("200 ms asked; a margin of 10x").isLessThan(Duration.ofSeconds(2));
    }

    @Test
    void badArgumentsAreNamed() {
        assertThatThrownBy(() -> StatusPublisher.create(AWAY, " ", "i")).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("topic must not be blank, but was ' '");
        assertThatThrownBy(() -> StatusPublisher.create(AWAY, "not a topic!", "i")).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("topic must be a Kafka topic name").hasMessageContaining("'not a topic!'");
        assertThatThrownBy(() -> StatusPublisher.create(AWAY, "t", "")).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("instanceId must not be blank, but was ''");
        assertThatThrownBy(() -> StatusPublisher.create(Map.of(), "t", "i"))
                .isInstanceOf(org.apache.kafka.common.config.ConfigException.class)
                .hasMessageContaining("the Breakwater status publisher needs bootstrap servers");
    }
}
