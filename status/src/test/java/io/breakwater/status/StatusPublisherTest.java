package io.breakwater.status;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.breakwater.breaker.BreakerStateStore;
import io.breakwater.breaker.CircuitBreaker;
import io.breakwater.breaker.CircuitBreakerConfig;
import io.breakwater.breaker.CircuitBreakerRegistry;
import io.breakwater.breaker.CircuitBreakerState;
import io.breakwater.breaker.ManualClock;
import io.breakwater.breaker.PersistedState;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import io.breakwater.testsupport.LogLines;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;

/** Publishing without a cluster: what waits, what is shared, what is skipped. Nothing here reaches a broker. */
class StatusPublisherTest {

    // Nothing listens on port 1: the events wait.
    private static final Map<String, Object> AWAY = Map.of("bootstrap.servers", "127.0.0.1:1");

    private final ManualClock clock = new ManualClock();

    private CircuitBreaker breaker(String name) {
        return CircuitBreaker.of(CircuitBreakerConfig.builder(name).clock(clock).build());
    }

    /** The breaker events waiting for {@code breaker}, in order. */
    private static List<StatusEvent> waitingFor(StatusPublisher publisher, String breaker) {
        return publisher.waiting().stream().filter(m -> m instanceof StatusEvent e && e.breaker().equals(breaker))
                .map(StatusEvent.class::cast).toList();
    }

    private static List<InstanceEvent> instanceEvents(StatusPublisher publisher) {
        return publisher.waiting().stream().filter(InstanceEvent.class::isInstance).map(InstanceEvent.class::cast).toList();
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

            assertThat(waitingFor(interceptorSide, "orders-producer")).as("started once, then 2 transitions")
                    .extracting(StatusEvent::kind, StatusEvent::to)
                    .containsExactly(org.assertj.core.groups.Tuple.tuple(StatusEvent.Kind.STARTED, CircuitBreakerState.CLOSED),
                            org.assertj.core.groups.Tuple.tuple(StatusEvent.Kind.TRANSITION, CircuitBreakerState.FORCED_OPEN),
                            org.assertj.core.groups.Tuple.tuple(StatusEvent.Kind.TRANSITION, CircuitBreakerState.CLOSED));
            assertThat(wrapperSide.waiting()).as("one queue behind both handles").isEqualTo(interceptorSide.waiting());
        } finally {
            interceptorSide.close(Duration.ZERO);
            wrapperSide.close(Duration.ZERO);
        }
    }

    @Test
    void publishersOfOneInstanceOnOneClusterShareOneProducerWhateverTheirOtherSettings() {
        // Regression: settings that differ in anything (a credential, a reconnect backoff, 500 against "500") made a
        // second core for the instance, with heartbeats of its own counted from 1; the first one closed announced the
        // instance's stop, which readers apply to every breaker of the instance, the other core's still running. The
        // newest settings win (SenderSlotTest): rotated credentials reach the one producer.
        String instance = "settings-" + System.nanoTime();
        LogLines log = LogLines.fromNow();
        StatusPublisher first = StatusPublisher.create(Map.of("bootstrap.servers", "127.0.0.1:1,127.0.0.1:2"),
                "breakwater-status", instance);
        StatusPublisher second = StatusPublisher.create(Map.of("bootstrap.servers", "127.0.0.1:2, 127.0.0.1:1",
                "reconnect.backoff.ms", 500, "sasl.jaas.config", "org.apache.kafka.common.security.plain.PlainLoginModule "
                        + "required username=\"u\" password=\"pa$$:w0rd\";"), "breakwater-status", instance);
        try {
            first.attach(breaker("orders"));
            assertThat(waitingFor(second, "orders")).as("one queue behind both").hasSize(1);
            assertThat(log.containing(instance, "other client settings", "[reconnect.backoff.ms, sasl.jaas.config]",
                    "its settings replace those from the next send")).as("the keys that differ are named").hasSize(1);
            assertThat(log.lines()).as("never a value").noneMatch(line -> line.contains("w0rd"));

            first.close(Duration.ZERO);

            assertThat(instanceEvents(second)).as("no stop of the instance while a handle is open").extracting(InstanceEvent::kind)
                    .containsExactly(InstanceEvent.Kind.HEARTBEAT);
        } finally {
            first.close(Duration.ZERO);
            second.close(Duration.ZERO);
        }
    }

    @Test
    void publishersOfOneInstanceOnTwoClustersAreApart() {
        String instance = "clusters-" + System.nanoTime();
        StatusPublisher here = StatusPublisher.create(AWAY, "breakwater-status", instance);
        StatusPublisher there = StatusPublisher.create(Map.of("bootstrap.servers", "127.0.0.1:3"), "breakwater-status", instance);
        try {
            here.attach(breaker("orders"));
            assertThat(waitingFor(here, "orders")).hasSize(1);
            assertThat(waitingFor(there, "orders")).isEmpty();
        } finally {
            here.close(Duration.ZERO);
            there.close(Duration.ZERO);
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
            assertThat(waitingFor(publisher, "orders")).extracting(StatusEvent::kind)
                    .containsExactly(StatusEvent.Kind.STARTED, StatusEvent.Kind.TRANSITION);
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
        assertThat(waitingFor(second, "a")).as("first's attachment went with it, saying so")
                .extracting(StatusEvent::kind).containsExactly(StatusEvent.Kind.STARTED, StatusEvent.Kind.STOPPED);
        assertThat(instanceEvents(second)).as("the instance goes on").extracting(InstanceEvent::kind)
                .containsExactly(InstanceEvent.Kind.HEARTBEAT);
        CircuitBreaker b = breaker("b");
        second.attach(b);
        b.forceOpen();
        assertThat(waitingFor(second, "b")).hasSize(2);
        assertThat(second.dropped()).isZero();
        int waiting = second.pending();
        second.close(Duration.ZERO);
        assertThat(second.dropped()).as("the last close counts what could not go: b's stop too, and the instance's stop, "
                + "which took the place of its waiting heartbeat").isEqualTo(waiting + 1);
        assertThatThrownBy(() -> second.attach(breaker("c"))).isInstanceOf(IllegalStateException.class);
    }

    @Test
    void aBreakerIsVisibleFromItsAttachWithTheStateItIsIn() {
        StatusPublisher publisher = StatusPublisher.create(AWAY, "breakwater-status", "started-" + System.nanoTime());
        try {
            CircuitBreaker breaker = breaker("payments");
            breaker.forceOpen();
            Instant since = breaker.snapshot().since();
            clock.advance(Duration.ofMinutes(5));

            publisher.attach(breaker);

            StatusEvent started = waitingFor(publisher, "payments").get(0);
            assertThat(started.kind()).isEqualTo(StatusEvent.Kind.STARTED);
            assertThat(started.reason()).isEqualTo("started");
            assertThat(started.from()).isEqualTo(CircuitBreakerState.FORCED_OPEN);
            assertThat(started.to()).isEqualTo(CircuitBreakerState.FORCED_OPEN);
            assertThat(started.since()).as("since when it is in that state, not since the attach").isEqualTo(since);
            assertThat(started.sequence()).isZero();
        } finally {
            publisher.close(Duration.ZERO);
        }
    }

    @Test
    void aDetachedBreakerPublishesItsLastStateAfterItsLastTransition() {
        StatusPublisher publisher = StatusPublisher.create(AWAY, "breakwater-status", "stopped-" + System.nanoTime());
        try {
            CircuitBreaker breaker = breaker("inventory");
            var subscription = publisher.attach(breaker);
            clock.advance(Duration.ofDays(365)); // the breaker's clock runs far ahead of the publisher's
            breaker.forceOpen();

            subscription.close();

            List<StatusEvent> events = waitingFor(publisher, "inventory");
            StatusEvent transition = events.get(1);
            StatusEvent stopped = events.get(2);
            assertThat(stopped.kind()).isEqualTo(StatusEvent.Kind.STOPPED);
            assertThat(stopped.to()).isEqualTo(CircuitBreakerState.FORCED_OPEN);
            assertThat(stopped.sequence()).isEqualTo(transition.sequence());
            assertThat(stopped.isNewerThan(transition)).as("a reader takes it as news").isTrue();
        } finally {
            publisher.close(Duration.ZERO);
        }
    }

    /** A store that saves nothing and loads FORCED_OPEN for every breaker, once {@code answer} is open. */
    private static BreakerStateStore forcedOpenOnceAnswered(java.util.concurrent.CountDownLatch answer) {
        return new BreakerStateStore() {
            @Override
            public void save(String breaker, PersistedState state) {
            }

            @Override
            public Optional<PersistedState> load(String breaker) {
                try {
                    answer.await();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
                return Optional.of(new PersistedState(CircuitBreakerState.FORCED_OPEN, Instant.now(), null, "by hand"));
            }
        };
    }

    @Test
    void aBreakerTheRegistryRestoresIsAnnouncedInTheStateItWasRestoredTo() {
        StatusPublisher publisher = StatusPublisher.create(AWAY, "breakwater-status", "restored-" + System.nanoTime());
        try {
            BreakerStateStore store = forcedOpenOnceAnswered(new java.util.concurrent.CountDownLatch(0));
            CircuitBreakerRegistry registry = new CircuitBreakerRegistry(CircuitBreakerConfig.builder("default")
                    // Long enough for the first load on a loaded machine (its thread starts then); the store answers
                    // at once, so this is how long the announcement waits.
                    .stateStore(store).stateRestoreWait(Duration.ofSeconds(2)).build());
            publisher.attach(registry);

            registry.getOrCreate("fills");

            Awaitility.await().atMost(Duration.ofSeconds(15)).until(() -> !waitingFor(publisher, "fills").isEmpty());
            assertThat(waitingFor(publisher, "fills")).singleElement()
                    .satisfies(e -> assertThat(e.kind()).isEqualTo(StatusEvent.Kind.STARTED))
                    .satisfies(e -> assertThat(e.to()).as("restored silently after the registry heard of it")
                            .isEqualTo(CircuitBreakerState.FORCED_OPEN));
        } finally {
            publisher.close(Duration.ZERO);
        }
    }

    @Test
    void aBreakerTheRegistryIsStillRestoringWhenTheRegistryIsAttachedIsAnnouncedInTheStateItWasRestoredTo() throws Exception {
        // Regression: a breaker found in the registry was announced at once, CLOSED, while its restore was on its way;
        // the OPEN it was restored to within the wait moved it without a transition, and was never published.
        StatusPublisher publisher = StatusPublisher.create(AWAY, "breakwater-status", "restoring-" + System.nanoTime());
        java.util.concurrent.CountDownLatch answer = new java.util.concurrent.CountDownLatch(1);
        try {
            BreakerStateStore store = forcedOpenOnceAnswered(answer);
            CircuitBreakerRegistry registry = new CircuitBreakerRegistry(CircuitBreakerConfig.builder("default")
                    .stateStore(store).stateRestoreWait(Duration.ofSeconds(5)).build());
            Thread creating = new Thread(() -> registry.getOrCreate("fills"), "creating");
            creating.start();
            Awaitility.await().atMost(Duration.ofSeconds(5)).until(() -> registry.get("fills").isPresent());

            publisher.attach(registry);   // the breaker is there, its restore on its way
            answer.countDown();
            creating.join(10_000);

            assertThat(registry.get("fills").orElseThrow().state()).isEqualTo(CircuitBreakerState.FORCED_OPEN);
            Awaitility.await().atMost(Duration.ofSeconds(15)).until(() -> !waitingFor(publisher, "fills").isEmpty());
            assertThat(waitingFor(publisher, "fills")).singleElement()
                    .satisfies(e -> assertThat(e.kind()).isEqualTo(StatusEvent.Kind.STARTED))
                    .satisfies(e -> assertThat(e.to()).isEqualTo(CircuitBreakerState.FORCED_OPEN));
        } finally {
            answer.countDown();
            publisher.close(Duration.ZERO);
        }
    }

    @Test
    void aTransitionDeliveredAsTheLastAttachmentClosesComesNoLaterThanTheStoppedEvent() {
        // Regression: a delivery already under way when the breaker was detached published its transition after the
        // stopped event, so readers took the detached breaker for a live one.
        StatusPublisher publisher = StatusPublisher.create(AWAY, "breakwater-status", "late-" + System.nanoTime());
        try {
            CircuitBreaker breaker = breaker("payments");
            io.breakwater.breaker.Subscription[] subscription = new io.breakwater.breaker.Subscription[1];
            breaker.onTransition(t -> subscription[0].close());   // heard first: detaches while the delivery goes on
            subscription[0] = publisher.attach(breaker);

            breaker.forceOpen();

            List<StatusEvent> events = waitingFor(publisher, "payments");
            assertThat(events).extracting(StatusEvent::kind)
                    .containsExactly(StatusEvent.Kind.STARTED, StatusEvent.Kind.STOPPED);
            assertThat(events.get(1).to()).as("the stopped event holds the state").isEqualTo(CircuitBreakerState.FORCED_OPEN);
        } finally {
            publisher.close(Duration.ZERO);
        }
    }

    @Test
    void theFirstHeartbeatGoesOutAtOnce() {
        StatusPublisher publisher = StatusPublisher.create(AWAY, "breakwater-status", "beat-" + System.nanoTime(),
                Duration.ofSeconds(7));
        try {
            assertThat(instanceEvents(publisher)).singleElement().satisfies(h -> {
                assertThat(h.kind()).isEqualTo(InstanceEvent.Kind.HEARTBEAT);
                assertThat(h.interval()).isEqualTo(Duration.ofSeconds(7));
                assertThat(h.sequence()).isEqualTo(1);
            });
            assertThat(publisher.heartbeatInterval()).isEqualTo(Duration.ofSeconds(7));
        } finally {
            publisher.close(Duration.ZERO);
        }
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
        assertThatThrownBy(() -> StatusPublisher.create(AWAY, "t", "i", Duration.ofMillis(99)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("heartbeatInterval must be in [100 ms, 1 day], but was PT0.099S");
        assertThatThrownBy(() -> StatusPublisher.create(AWAY, "t", "i", Duration.ofDays(2)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("but was PT48H");
        assertThatThrownBy(() -> StatusPublisher.create(AWAY, "t", "i", null))
                .isInstanceOf(NullPointerException.class).hasMessage("heartbeatInterval");
    }
}
