package io.breakwater.spring.internal;

import io.breakwater.breaker.CircuitBreaker;
import io.breakwater.breaker.Subscription;
import io.breakwater.spring.BreakwaterBreakers;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.SmartLifecycle;
import org.springframework.kafka.config.KafkaListenerEndpointRegistry;
import org.springframework.kafka.listener.AbstractMessageListenerContainer;
import org.springframework.kafka.listener.MessageListenerContainer;

/**
 * {@code breakwater.listeners.<id>.pause-on=<breaker>}: pauses the {@code @KafkaListener} container {@code id} while
 * the breaker refuses calls (OPEN, FORCED_OPEN) and resumes it when the breaker admits calls again (HALF_OPEN: the
 * next records are its trials; CLOSED; DISABLED). The containers pause immediately (after the record in hand,
 * not after the whole poll), and a record that failed stays where it was: the error handler seeks back to it.
 *
 * <p>A paused container makes no calls, so nothing would move an OPEN breaker to HALF_OPEN: a ticker checks the
 * gated breakers' timeouts twice a second. Starts before the containers, so one gated by an open breaker starts
 * paused. Thread-safe: each gate reads its breaker's state and pauses or resumes its container as one step, under
 * the gate's lock, so that whichever thread follows last (a transition's, the start-up's) acts on the latest state;
 * and it calls the container only when its pause request has to change, since each call may wake its consumer.
 */
public final class ListenerGates implements SmartLifecycle {

    private static final Logger LOG = LoggerFactory.getLogger(ListenerGates.class);

    private final KafkaListenerEndpointRegistry endpoints;
    private final Function<String, CircuitBreaker> breakers;
    private final Map<String, String> gates;
    // The started gates and what they subscribed; guarded by this.
    private final List<Gate> started = new ArrayList<>();
    private final List<Subscription> subscriptions = new ArrayList<>();
    private ScheduledExecutorService ticker;
    private volatile boolean running;

    /** @param gates the breaker name by listener container id */
    public ListenerGates(KafkaListenerEndpointRegistry endpoints, BreakwaterBreakers breakers, Map<String, String> gates) {
        this(endpoints, Objects.requireNonNull(breakers, "breakers")::breaker, gates);
    }

    /** With {@code breakers}, the breaker of each name (an EventBus's stream breaker from the bus, say). */
    public ListenerGates(KafkaListenerEndpointRegistry endpoints, Function<String, CircuitBreaker> breakers,
                         Map<String, String> gates) {
        this.endpoints = Objects.requireNonNull(endpoints, "endpoints");
        this.breakers = Objects.requireNonNull(breakers, "breakers");
        this.gates = Map.copyOf(gates);
    }

    /**
     * @throws IllegalArgumentException when a gate names no breaker
     * @throws IllegalStateException when no listener container has a gate's id
     */
    @Override
    public synchronized void start() {
        if (running) {
            return;
        }
        Map<MessageListenerContainer, CircuitBreaker> gated = new LinkedHashMap<>();
        gates.forEach((id, breakerName) -> {
            if (breakerName == null || breakerName.isBlank()) {
                throw new IllegalArgumentException("breakwater.listeners." + id + ".pause-on must name a breaker");
            }
            MessageListenerContainer container = endpoints.getListenerContainer(id);
            if (container == null) {
                throw new IllegalStateException("breakwater.listeners." + id + ": no @KafkaListener container has the id '"
                        + id + "'; the ids are " + endpoints.getListenerContainerIds());
            }
            gated.put(container, breakers.apply(breakerName));
        });
        gated.forEach((container, breaker) -> {
            container.getContainerProperties().setPauseImmediate(true);
            Gate gate = new Gate(container, breaker);
            started.add(gate);
            // Subscribed first: a transition between the two calls is followed by one of them, after it.
            subscriptions.add(breaker.onTransition(t -> gate.follow()));
            gate.follow();
        });
        if (!started.isEmpty()) {
            ticker = Executors.newSingleThreadScheduledExecutor(r -> {
                Thread t = new Thread(r, "breakwater-listener-gates");
                t.setDaemon(true);
                return t;
            });
            List<CircuitBreaker> gating = started.stream().map(g -> g.breaker).distinct().toList();
            ticker.scheduleWithFixedDelay(() -> tick(gating), 500, 500, TimeUnit.MILLISECONDS);
        }
        running = true;
    }

    private static void tick(List<CircuitBreaker> gating) {
        for (CircuitBreaker breaker : gating) {
            try {
                breaker.checkTimeouts();
            } catch (RuntimeException e) {
                LOG.warn("Breaker '{}' could not check its timeouts", breaker.name(), e);
            }
        }
    }

    /** Stops following: no container is paused or resumed by a gate after this returns. */
    @Override
    public synchronized void stop() {
        subscriptions.forEach(Subscription::close);
        subscriptions.clear();
        started.forEach(Gate::close);
        started.clear();
        if (ticker != null) {
            ticker.shutdownNow();
            ticker = null;
        }
        running = false;
    }

    @Override
    public boolean isRunning() {
        return running;
    }

    /** One container and the breaker it follows. */
    private static final class Gate {
        private final MessageListenerContainer container;
        private final CircuitBreaker breaker;
        // Guarded by this, as every pause and resume of the container by this gate is.
        private boolean closed;

        Gate(MessageListenerContainer container, CircuitBreaker breaker) {
            this.container = container;
            this.breaker = breaker;
        }

        synchronized void follow() {
            if (closed) {
                return;
            }
            try {
                boolean pause = breaker.state().rejectsCalls();
                if (pause != container.isPauseRequested()) {
                    if (pause) {
                        container.pause();
                    } else {
                        container.resume();
                    }
                }
            } catch (RuntimeException e) {
                LOG.warn("Listener container '{}' could not follow breaker '{}'", container.getListenerId(),
                        breaker.name(), e);
            }
        }

        synchronized void close() {
            closed = true;
        }
    }

    /** Before the listener containers, so that a container gated by an open breaker starts paused. */
    @Override
    public int getPhase() {
        return AbstractMessageListenerContainer.DEFAULT_PHASE - 1;
    }
}
