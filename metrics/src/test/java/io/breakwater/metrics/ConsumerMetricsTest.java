package io.breakwater.metrics;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.breakwater.breaker.CircuitBreaker;
import io.breakwater.breaker.CircuitBreakerConfig;
import io.breakwater.breaker.ManualClock;
import io.breakwater.consumer.GatedConsumer;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.locks.LockSupport;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.MockConsumer;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class ConsumerMetricsTest {

    private static final TopicPartition P0 = new TopicPartition("orders", 0);
    private static final TopicPartition P1 = new TopicPartition("orders", 1);
    private static final Duration WAIT = Duration.ofSeconds(10);

    private final ManualClock clock = new ManualClock();
    private final CircuitBreaker breaker = CircuitBreaker.of(CircuitBreakerConfig.builder("orders-db").clock(clock)
            .failureThreshold(1).build());
    // A MockConsumer whose empty polls wait, as Kafka's do.
    private final MockConsumer<String, String> consumer = new MockConsumer<>("earliest") {
        @Override
        public synchronized ConsumerRecords<String, String> poll(Duration timeout) {
            ConsumerRecords<String, String> records = super.poll(timeout);
            if (records.isEmpty()) {
                LockSupport.parkNanos(timeout.toNanos());
            }
            return records;
        }
    };
    private final SimpleMeterRegistry meters = new SimpleMeterRegistry();
    private GatedConsumer<String, String> gated;

    @AfterEach
    void close() {
        if (gated != null) {
            gated.close(WAIT);
        }
    }

    private double value(String name, String... tags) {
        var search = meters.find(name).tags("consumer", "orders-writer", "breaker", "orders-db").tags(tags);
        return search.gauge() != null ? search.gauge().value() : search.functionCounter().count();
    }

    @Test
    void metersFollowThePausesAndTheRecords() {
        gated = GatedConsumer.builder(consumer, breaker).name("orders-writer").topics("orders")
                .recordHandler(r -> {
                    if (r.offset() == 2) {
                        throw new java.io.IOException("db down");
                    }
                })
                .pollTimeout(Duration.ofMillis(10)).build();
        ConsumerMetrics.of(gated).bindTo(meters);
        consumer.updateBeginningOffsets(Map.of(P0, 0L, P1, 0L));
        consumer.schedulePollTask(() -> {
            consumer.rebalance(List.of(P0, P1));
            for (int i = 0; i < 5; i++) {
                consumer.addRecord(new ConsumerRecord<>("orders", 0, i, "k", "v"));
            }
        });
        gated.start();
        await().atMost(WAIT).until(() -> value("breakwater.consumer.paused") == 1);
        clock.advance(Duration.ofSeconds(4));

        assertThat(value("breakwater.consumer.paused.partitions")).isEqualTo(2);
        assertThat(value("breakwater.consumer.paused.time")).isEqualTo(4.0);
        assertThat(value("breakwater.consumer.pauses")).isEqualTo(1);
        assertThat(value("breakwater.consumer.records", "kind", "handled")).isEqualTo(2);
        assertThat(value("breakwater.consumer.records", "kind", "redelivered")).isEqualTo(3);
        assertThat(value("breakwater.consumer.records", "kind", "failed")).isZero();
        assertThat(value("breakwater.consumer.records", "kind", "dropped")).isZero();
        assertThat(value("breakwater.consumer.handler.failures")).isEqualTo(1);
    }

    @Test
    void aNullConsumerIsNamed() {
        gated = GatedConsumer.builder(consumer, breaker).name("orders-writer").topics("orders").recordHandler(r -> { }).build();

        org.assertj.core.api.Assertions.assertThatNullPointerException()
                .isThrownBy(() -> ConsumerMetrics.of((GatedConsumer<?, ?>[]) null)).withMessage("consumers");
        org.assertj.core.api.Assertions.assertThatNullPointerException()
                .isThrownBy(() -> ConsumerMetrics.of(gated, null)).withMessage("consumers[1]");
    }

    @Test
    void prometheusNamesTheMetersAsDocumented() {
        gated = GatedConsumer.builder(consumer, breaker).name("orders-writer").topics("orders").recordHandler(r -> { }).build();
        PrometheusMeterRegistry prometheus = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        ConsumerMetrics.of(gated).bindTo(prometheus);

        assertThat(prometheus.scrape()).contains("breakwater_consumer_paused{", "breakwater_consumer_paused_partitions{",
                "breakwater_consumer_paused_time_seconds_total{", "breakwater_consumer_pauses_total{",
                "breakwater_consumer_records_total{", "kind=\"redelivered\"", "breakwater_consumer_handler_failures_total{",
                "consumer=\"orders-writer\"", "breaker=\"orders-db\"");
    }
}
