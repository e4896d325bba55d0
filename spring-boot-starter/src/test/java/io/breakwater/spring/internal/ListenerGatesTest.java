package io.breakwater.spring.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.breakwater.breaker.CircuitBreaker;
import io.breakwater.breaker.CircuitBreakerRegistry;
import io.breakwater.breaker.CircuitBreakerState;
import io.breakwater.spring.BreakwaterBreakers;
import io.breakwater.spring.BreakwaterProperties;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.springframework.kafka.config.KafkaListenerContainerFactory;
import org.springframework.kafka.config.KafkaListenerEndpoint;
import org.springframework.kafka.config.KafkaListenerEndpointRegistry;
import org.springframework.kafka.config.MethodKafkaListenerEndpoint;
import org.springframework.kafka.core.DefaultKafkaConsumerFactory;
import org.springframework.kafka.listener.ContainerProperties;
import org.springframework.kafka.listener.KafkaMessageListenerContainer;
import org.springframework.kafka.support.TopicPartitionOffset;

/**
 * The gates against transitions that race with them, on a real (never started) listener container: whatever the
 * interleaving, once the transitions stop the container's pause request matches its breaker.
 */
class ListenerGatesTest {

    private final BreakwaterBreakers breakers = new BreakwaterBreakers(new CircuitBreakerRegistry(), new BreakwaterProperties());
    private final CircuitBreaker db = breakers.breaker("db");
    private final Container container = new Container();
    private final KafkaListenerEndpointRegistry endpoints = new KafkaListenerEndpointRegistry();
    private final List<ListenerGates> started = new ArrayList<>();

    /** A container whose next pause can be held, to stop a gate half-way through following its breaker. */
    static final class Container extends KafkaMessageListenerContainer<String, String> {
        final CountDownLatch pauseEntered = new CountDownLatch(1);
        final CountDownLatch pauseReleased = new CountDownLatch(1);
        volatile boolean holdNextPause;

        Container() {
            super(new DefaultKafkaConsumerFactory<>(Map.of("bootstrap.servers", "127.0.0.1:1"), new StringDeserializer(),
                    new StringDeserializer()), new ContainerProperties("orders"));
        }

        @Override
        public void pause() {
            if (holdNextPause) {
                holdNextPause = false;
                pauseEntered.countDown();
                try {
                    pauseReleased.await(30, TimeUnit.SECONDS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
            super.pause();
        }
    }

    ListenerGatesTest() {
        MethodKafkaListenerEndpoint<String, String> endpoint = new MethodKafkaListenerEndpoint<>();
        endpoint.setId("orders");
        endpoints.registerListenerContainer(endpoint, new KafkaListenerContainerFactory<Container>() {
            @Override
            public Container createListenerContainer(KafkaListenerEndpoint e) {
                return container;
            }

            @Override
            public Container createContainer(TopicPartitionOffset... topicPartitions) {
                return container;
            }

            @Override
            public Container createContainer(String... topics) {
                return container;
            }

            @Override
            public Container createContainer(Pattern topicPattern) {
                return container;
            }
        }, false);
    }

    private ListenerGates gates() {
        ListenerGates gates = new ListenerGates(endpoints, breakers, Map.of("orders", "db"));
        started.add(gates);
        return gates;
    }

    @AfterEach
    void stopGates() {
        started.forEach(ListenerGates::stop);
    }

    @Test
    void aTransitionWhileTheStartIsPausingTheContainerIsFollowedAfterIt() throws Exception {
        db.forceOpen("test");
        container.holdNextPause = true;
        ListenerGates gates = gates();
        Thread starting = new Thread(gates::start, "starting");
        starting.start();
        // The start read FORCED_OPEN and is pausing the container: now the breaker closes.
        assertThat(container.pauseEntered.await(30, TimeUnit.SECONDS)).isTrue();
        Thread closing = new Thread(() -> db.reset("test"), "closing");
        closing.start();
        // Its gate follows the transition at once, or waits for the start's pause to end.
        await().atMost(Duration.ofSeconds(10)).until(() -> closing.getState() == Thread.State.BLOCKED
                || closing.getState() == Thread.State.TERMINATED);
        container.pauseReleased.countDown();
        starting.join(10_000);
        closing.join(10_000);

        assertThat(db.state()).isEqualTo(CircuitBreakerState.CLOSED);
        assertThat(container.isPauseRequested()).as("paused while its breaker is closed").isFalse();
    }

    @Test
    void transitionsFromManyThreadsDuringTheStartLeaveTheContainerMatchingItsBreaker() throws Exception {
        long seed = System.nanoTime();
        Random random = new Random(seed);
        for (int round = 0; round < 100; round++) {
            ListenerGates gates = gates();
            List<Thread> threads = new ArrayList<>();
            for (int t = 0; t < 3; t++) {
                long threadSeed = random.nextLong();
                threads.add(new Thread(() -> {
                    Random r = new Random(threadSeed);
                    for (int i = 0; i < 20; i++) {
                        if (r.nextBoolean()) {
                            db.forceOpen("test");
                        } else {
                            db.reset("test");
                        }
                    }
                }));
            }
            threads.forEach(Thread::start);
            gates.start();
            for (Thread t : threads) {
                t.join(10_000);
            }
            assertThat(container.isPauseRequested()).as("round %d, seed %d: %s", round, seed, db.state())
                    .isEqualTo(db.state().rejectsCalls());
            gates.stop();
        }
    }

    @Test
    void noContainerIsPausedOrResumedAfterStop() {
        ListenerGates gates = gates();
        gates.start();
        db.forceOpen("test");
        assertThat(container.isPauseRequested()).isTrue();
        gates.stop();
        db.reset("test");
        assertThat(container.isPauseRequested()).as("left as the stopped gate left it").isTrue();
    }
}
