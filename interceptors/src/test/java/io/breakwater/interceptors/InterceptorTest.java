package io.breakwater.interceptors;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.breakwater.breaker.CircuitBreaker;
import io.breakwater.breaker.CircuitBreakerConfig;
import io.breakwater.breaker.CircuitBreakerState;
import io.breakwater.breaker.ManualClock;
import io.breakwater.breaker.watch.AckTracker;
import java.time.Duration;
import java.util.Map;
import java.util.UUID;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.common.config.ConfigException;
import org.apache.kafka.common.errors.RecordTooLargeException;
import org.apache.kafka.common.errors.TimeoutException;
import org.junit.jupiter.api.Test;

class InterceptorTest {

    private static CircuitBreakerProducerInterceptor<String, String> configured(Map<String, Object> extra) {
        CircuitBreakerProducerInterceptor<String, String> interceptor = new CircuitBreakerProducerInterceptor<>();
        Map<String, Object> config = new java.util.HashMap<>(Map.of(
                "bootstrap.servers", "localhost:9092",
                "breakwater.status.enabled", "false",
                "breakwater.breaker.name", "interceptor-" + UUID.randomUUID()));
        config.putAll(extra);
        interceptor.configure(config);
        return interceptor;
    }

    @Test
    void aSendWhileForcedOpenUnderControlIsFlaggedAsNotEnforced() {
        try (CircuitBreakerProducerInterceptor<String, String> interceptor = configured(Map.of(
                "bootstrap.servers", "127.0.0.1:1", "breakwater.control.enabled", "true",
                "breakwater.control.read.timeout.ms", "0"))) {
            interceptor.onSend(new ProducerRecord<>("t", "v"));
            assertThat(interceptor.sentWhileForcedOpen()).as("CLOSED").isFalse();
            interceptor.breaker().forceOpen("cmd-1: force-open by alice");
            interceptor.onSend(new ProducerRecord<>("t", "v"));
            assertThat(interceptor.sentWhileForcedOpen()).isTrue();
        }
    }

    @Test
    void onSendHandsTheRecordBackUnchanged() {
        try (CircuitBreakerProducerInterceptor<String, String> interceptor = configured(Map.of())) {
            ProducerRecord<String, String> record = new ProducerRecord<>("t", "k", "v");
            assertThat(interceptor.onSend(record)).isSameAs(record);
            assertThat(interceptor.inFlight()).isEqualTo(1);
        }
    }

    @Test
    void acknowledgementsDriveTheBreaker() {
        try (CircuitBreakerProducerInterceptor<String, String> interceptor = configured(Map.of("breakwater.failure.threshold", "3"))) {
            for (int i = 0; i < 3; i++) {
                interceptor.onSend(new ProducerRecord<>("t", "v"));
                interceptor.onAcknowledgement(null, new RecordTooLargeException("caller's error"));
            }
            assertThat(interceptor.breaker().state()).isEqualTo(CircuitBreakerState.CLOSED);
            for (int i = 0; i < 3; i++) {
                interceptor.onSend(new ProducerRecord<>("t", "v"));
                interceptor.onAcknowledgement(null, new TimeoutException("expired"));
            }
            assertThat(interceptor.breaker().state()).isEqualTo(CircuitBreakerState.OPEN);
            assertThat(interceptor.inFlight()).isZero();
        }
    }

    @Test
    void theFormWithHeadersRecordsEachOutcomeOnceLikeTheTwoArgumentForm() {
        try (CircuitBreakerProducerInterceptor<String, String> interceptor = configured(Map.of("breakwater.failure.threshold", "4"))) {
            for (int i = 0; i < 2; i++) {
                ProducerRecord<String, String> record = new ProducerRecord<>("t", "v");
                interceptor.onSend(record);
                interceptor.onAcknowledgement(null, new TimeoutException("expired"), record.headers());
                interceptor.onSend(new ProducerRecord<>("t", "v"));
                interceptor.onAcknowledgement(null, new TimeoutException("expired"));
            }
            assertThat(interceptor.breaker().snapshot().failedCalls()).isEqualTo(4);
            assertThat(interceptor.breaker().state()).isEqualTo(CircuitBreakerState.OPEN);
            assertThat(interceptor.inFlight()).isZero();
        }
    }

    @Test
    void theInterceptorDeclaresBothAcknowledgementFormsItself() throws Exception {
        // kafka-clients up to 4.0 call only the two-argument form, 4.1 and later only the one with headers.
        assertThat(CircuitBreakerProducerInterceptor.class.getMethod("onAcknowledgement", RecordMetadata.class, Exception.class)
                .getDeclaringClass()).isEqualTo(CircuitBreakerProducerInterceptor.class);
        assertThat(CircuitBreakerProducerInterceptor.class.getMethod("onAcknowledgement", RecordMetadata.class, Exception.class,
                Headers.class).getDeclaringClass()).isEqualTo(CircuitBreakerProducerInterceptor.class);
    }

    @Test
    void interceptorAndWrapperShareABreakerByName() {
        String name = "shared-" + UUID.randomUUID();
        try (CircuitBreakerProducerInterceptor<String, String> interceptor = configured(Map.of("breakwater.breaker.name", name))) {
            CircuitBreakerProducer<String, String> wrapper = CircuitBreakerProducer.wrap(
                    new org.apache.kafka.clients.producer.MockProducer<>(),
                    Map.of("breakwater.breaker.name", name, "breakwater.status.enabled", "false"));
            assertThat(wrapper.breaker()).isSameAs(interceptor.breaker());
            wrapper.close();
        }
    }

    @Test
    void unknownOrInvalidKeysFailAtConfigure() {
        assertThatThrownBy(() -> configured(Map.of("breakwater.reset.timeout", "30")))
                .isInstanceOf(ConfigException.class).hasMessageContaining("breakwater.reset.timeout");
        assertThatThrownBy(() -> configured(Map.of("breakwater.half.open.max.calls", "0")))
                .isInstanceOf(ConfigException.class).hasMessageContaining("breakwater.half.open.max.calls");
    }

    @Test
    void statusWithoutBootstrapFailsAtConfigure() {
        CircuitBreakerProducerInterceptor<String, String> interceptor = new CircuitBreakerProducerInterceptor<>();
        assertThatThrownBy(() -> interceptor.configure(Map.of("breakwater.status.enabled", "true")))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("needs bootstrap servers");
    }

    @Test
    void theAckTrackerCountsEachStaleRecordOnceAndSkipsItsLateAcknowledgement() {
        ManualClock clock = new ManualClock();
        CircuitBreaker breaker = CircuitBreaker.of(CircuitBreakerConfig.builder("acks").clock(clock).build());
        AckTracker tracker = new AckTracker(breaker, clock, Duration.ofSeconds(2), "breakwater.in.flight.threshold.ms");
        for (int i = 0; i < 4; i++) {
            tracker.sent();
        }
        clock.advance(Duration.ofSeconds(1));
        tracker.sent();
        clock.advance(Duration.ofSeconds(1));
        tracker.run();
        assertThat(breaker.snapshot().failedCalls()).isEqualTo(4);
        tracker.run();
        assertThat(breaker.snapshot().failedCalls()).as("counted once").isEqualTo(4);
        for (int i = 0; i < 4; i++) {
            assertThat(tracker.acknowledged()).as("late ack of a counted record").isFalse();
        }
        assertThat(tracker.acknowledged()).isTrue();
        clock.advance(Duration.ofSeconds(5));
        tracker.run();
        assertThat(breaker.snapshot().failedCalls()).isEqualTo(4);
    }
}
