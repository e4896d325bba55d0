package io.breakwater.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import io.breakwater.breaker.CircuitBreakerOpenException;
import io.breakwater.breaker.CircuitBreakerState;
import io.breakwater.eventbus.EventBus;
import io.breakwater.interceptors.CircuitBreakerProducer;
import io.breakwater.testkit.EmbeddedKafkaCluster;
import io.breakwater.testkit.KafkaSecurity;
import io.breakwater.transport.redpanda.RedpandaTransport;
import io.breakwater.testsupport.LogLines;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.acl.AclOperation;
import org.apache.kafka.common.errors.SaslAuthenticationException;
import org.apache.kafka.common.errors.TopicAuthorizationException;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * How security failures are classified, on a secured cluster (issue "Secured clusters", point 4): a topic the
 * principal may not write is the caller's error (the exception at once, the breakers CLOSED); a bad password is a
 * configuration error, not an outage (surfaced at once, the breakers CLOSED, logged once at ERROR naming the principal
 * and never the password). A failure that does not count also ends a failing run, so the failing-run rule does not
 * open a breaker on them either (README, "Secured clusters").
 */
class SecuredClassificationIT {

    private static final String APP_PASSWORD = "app-Secret-2207";
    private static final String WRONG_PASSWORD = "Wrong-Secret-8861";
    private static final String ALLOWED = "cl-allowed";
    private static final String DENIED = "cl-denied";

    private static EmbeddedKafkaCluster kafka;

    @BeforeAll
    static void start() throws Exception {
        KafkaSecurity security = KafkaSecurity.builder()
                .user("app", APP_PASSWORD)
                .allowTopic("app", ALLOWED, AclOperation.WRITE, AclOperation.DESCRIBE)
                .build();
        kafka = EmbeddedKafkaCluster.builder().secured(security).start();
        Secured.createTopics(kafka, ALLOWED, DENIED);
    }

    @AfterAll
    static void stop() {
        if (kafka != null) {
            kafka.close();
        }
    }

    private static Map<String, Object> props(Map<String, Object> client, String breaker) {
        Map<String, Object> props = Secured.producerProps(kafka, "app");
        props.putAll(client);
        props.put("breakwater.breaker.name", breaker);
        props.put("breakwater.status.enabled", "false");
        return props;
    }

    private static Throwable rootOf(Throwable t) {
        Throwable root = t;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        return root;
    }

    /** A forbidden topic is the caller's error: it neither counts nor lets the failing-run rule open the breaker. */
    @Test
    void aForbiddenTopicFailsTheWrappedSendAtOnceAndTheBreakerStaysClosed() throws Exception {
        Map<String, Object> props = props(Map.of(), "cl-wrapper");
        try (CircuitBreakerProducer<String, String> producer = CircuitBreakerProducer.wrap(new KafkaProducer<>(props), props)) {
            for (int i = 0; i < 10; i++) {
                long started = System.nanoTime();
                Throwable failure = catchThrowable(() -> producer.send(new ProducerRecord<>(DENIED, "k", "v"))
                        .get(30, TimeUnit.SECONDS));
                assertThat(rootOf(failure)).isInstanceOf(TopicAuthorizationException.class);
                assertThat(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started)).as("at once").isLessThan(5_000);
            }
            assertThat(producer.breaker().state()).isEqualTo(CircuitBreakerState.CLOSED);
            assertThat(producer.send(new ProducerRecord<>(ALLOWED, "k", "v")).get(30, TimeUnit.SECONDS).topic()).isEqualTo(ALLOWED);
        }
    }

    /** Nor on the EventBus: the channel classifier does not count authorization failures. */
    @Test
    void aForbiddenStreamFailsAtOnceAndItsBreakerStaysClosed() throws Exception {
        try (EventBus bus = EventBus.builder(RedpandaTransport.builder(kafka.clientConfig("app")).build()).build()) {
            for (int i = 0; i < 10; i++) {
                long started = System.nanoTime();
                Throwable failure = catchThrowable(() -> bus.publishStream(DENIED, "k", Map.of("n", 1), Map.of())
                        .get(30, TimeUnit.SECONDS));
                assertThat(rootOf(failure)).as("publish %d to the forbidden stream", i)
                        .isNotInstanceOf(CircuitBreakerOpenException.class).isInstanceOf(TopicAuthorizationException.class);
                assertThat(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started)).as("at once").isLessThan(5_000);
            }
            assertThat(bus.channelBreaker(DENIED).state()).isEqualTo(CircuitBreakerState.CLOSED);
            assertThat(bus.transportBreaker().state()).isEqualTo(CircuitBreakerState.CLOSED);
            assertThat(bus.publishStream(ALLOWED, "k", Map.of("n", 2), Map.of()).get(30, TimeUnit.SECONDS).acknowledged())
                    .as("another stream publishes").isTrue();
        }
    }

    /** A failed login is a configuration error: surfaced at once, logged once at ERROR naming the principal. */
    @Test
    void aBadPasswordIsSurfacedAtOnceAndLoggedOnceNamingThePrincipal() throws Exception {
        LogLines log = LogLines.fromNow();
        Map<String, Object> wrong = new HashMap<>(kafka.security().orElseThrow().clientConfig("app", WRONG_PASSWORD));
        Map<String, Object> props = props(wrong, "cl-bad-password");
        try (CircuitBreakerProducer<String, String> producer = CircuitBreakerProducer.wrap(new KafkaProducer<>(props), props)) {
            for (int i = 0; i < 5; i++) {
                long started = System.nanoTime();
                Throwable failure = catchThrowable(() -> producer.send(new ProducerRecord<>(ALLOWED, "k", "v"))
                        .get(30, TimeUnit.SECONDS));
                assertThat(rootOf(failure)).isInstanceOf(SaslAuthenticationException.class);
                assertThat(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started)).as("at once").isLessThan(10_000);
            }
            assertThat(producer.breaker().state()).as("a configuration error, not an outage").isEqualTo(CircuitBreakerState.CLOSED);
        }
        List<String> errors = log.lines().stream().filter(l -> l.contains(" ERROR io.breakwater.")).filter(l -> l.contains("app"))
                .toList();
        assertThat(errors).as("logged once at ERROR by Breakwater, naming the principal").hasSize(1);
        assertThat(log.text()).doesNotContain(WRONG_PASSWORD).doesNotContain(APP_PASSWORD);
    }
}
