package io.breakwater.interceptors.internal;

import io.breakwater.breaker.CircuitBreaker;
import io.breakwater.breaker.CircuitBreakerConfig;
import io.breakwater.breaker.CircuitBreakerRegistry;
import io.breakwater.breaker.Subscription;
import io.breakwater.interceptors.BreakwaterConfig;
import io.breakwater.interceptors.CircuitBreakerProducerInterceptor;
import io.breakwater.status.ControlFollower;
import io.breakwater.status.KafkaStateStore;
import io.breakwater.status.StatusClients;
import io.breakwater.status.StatusPublisher;
import java.util.Map;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What the interceptor and the wrapper build from a producer's properties, built the same way by both, so
 * that an interceptor and a wrapper with the same breaker name agree on its settings and share it.
 */
public final class GuardSetup {

    private static final Logger LOG = LoggerFactory.getLogger(GuardSetup.class);

    private GuardSetup() {
    }

    /** The status cluster's client settings: the producer's bootstrap (or the override) and security. */
    public static Map<String, Object> statusClient(Map<String, ?> producerConfig, BreakwaterConfig config) {
        return StatusClients.inherit(producerConfig, config.statusBootstrapServers(),
                BreakwaterConfig.STATUS_BOOTSTRAP_SERVERS_CONFIG, "the Breakwater status publisher");
    }

    /** The breaker config, with the status topic as its state store when restoring is on. */
    public static CircuitBreakerConfig breakerConfig(Map<String, ?> producerConfig, BreakwaterConfig config) {
        CircuitBreakerConfig breakerConfig = config.toBreakerConfig();
        if (!config.restoreState()) {
            return breakerConfig;
        }
        KafkaStateStore store = KafkaStateStore.create(statusClient(producerConfig, config), config.statusTopic(),
                config.instanceId(), config.stateRestoreTimeout());
        return CircuitBreakerConfig.from(breakerConfig).stateStore(store).stateTtl(config.stateTtl())
                .stateRestoreWait(config.stateRestoreTimeout()).build();
    }

    /**
     * The breaker of the global registry under the configured name: created (and restored, waiting at most
     * {@code breakwater.state.restore.timeout.ms}) if missing.
     *
     * @throws IllegalArgumentException when it exists with other settings
     */
    public static CircuitBreaker breaker(Map<String, ?> producerConfig, BreakwaterConfig config) {
        return CircuitBreakerRegistry.global().getOrCreate(config.breakerName(), breakerConfig(producerConfig, config));
    }

    /** Whether {@code producerConfig} installs the Breakwater interceptor (which then records the outcomes). */
    public static boolean installsTheInterceptor(Map<String, ?> producerConfig) {
        Object classes = producerConfig.get(ProducerConfig.INTERCEPTOR_CLASSES_CONFIG);
        if (classes == null) {
            return false;
        }
        String name = CircuitBreakerProducerInterceptor.class.getName();
        if (classes instanceof java.util.Collection<?> list) {
            return list.stream().anyMatch(c -> c == CircuitBreakerProducerInterceptor.class || name.equals(String.valueOf(c).trim()));
        }
        return classes == CircuitBreakerProducerInterceptor.class
                || java.util.Arrays.stream(String.valueOf(classes).split(",")).anyMatch(c -> name.equals(c.trim()));
    }

    /** A handle on this instance's status publisher, or null when status publishing is off. */
    public static StatusPublisher publisher(Map<String, ?> producerConfig, BreakwaterConfig config) {
        if (!config.statusEnabled()) {
            return null;
        }
        return StatusPublisher.create(statusClient(producerConfig, config), config.statusTopic(), config.instanceId(),
                config.statusHeartbeat());
    }

    /** A handle on this instance's control follower, on the status cluster, or null when control is off. */
    public static ControlFollower follower(Map<String, ?> producerConfig, BreakwaterConfig config) {
        if (!config.controlEnabled()) {
            return null;
        }
        return ControlFollower.create(StatusClients.inherit(producerConfig, config.statusBootstrapServers(),
                BreakwaterConfig.STATUS_BOOTSTRAP_SERVERS_CONFIG, "the Breakwater control follower",
                "the control follower off with " + BreakwaterConfig.CONTROL_ENABLED_CONFIG + "=false"), config.controlTopic(),
                config.instanceId());
    }

    /**
     * Waits up to {@code breakwater.control.read.timeout.ms} for {@code follower}'s read of the control topic, so that a
     * standing command holds for {@code breaker} (attached already) before the first send.
     */
    public static void awaitRead(ControlFollower follower, CircuitBreaker breaker, BreakwaterConfig config) {
        try {
            if (!config.controlReadTimeout().isZero() && !follower.awaitCaughtUp(config.controlReadTimeout())) {
                LOG.warn("Control topic {} not read within {} ms ({}); breaker '{}' follows its commands once it is",
                        follower.topic(), config.controlReadTimeout().toMillis(), follower.lastError().orElse("reading"),
                        breaker.name());
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /**
     * Attaches {@code breaker} to {@code publisher}, then to {@code follower} (either may be null), so that a
     * command's transition is published after the breaker's start. The subscription detaches both, the follower
     * first, and closes {@code ownedFollower}. A follower that fails (closed) undoes the publisher's attachment.
     */
    public static Subscription attach(CircuitBreaker breaker, StatusPublisher publisher, ControlFollower follower,
                                      ControlFollower ownedFollower) {
        Subscription status = publisher != null ? publisher.attach(breaker) : () -> { };
        Subscription control;
        try {
            control = follower != null ? follower.attach(breaker) : () -> { };
        } catch (RuntimeException e) {
            status.close();
            throw e;
        }
        return () -> {
            control.close();
            if (ownedFollower != null) {
                ownedFollower.close();
            }
            status.close();
        };
    }
}
