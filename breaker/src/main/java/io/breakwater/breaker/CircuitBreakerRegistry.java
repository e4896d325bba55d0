package io.breakwater.breaker;

import java.util.Collection;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One breaker per name. {@link #getOrCreate(String, CircuitBreakerConfig)} returns the same instance for
 * the same name every time, from any thread. Listeners registered here see every breaker, those that
 * exist now and those created later, so metrics and status publishing need one line.
 */
public final class CircuitBreakerRegistry {

    private static final Logger LOG = LoggerFactory.getLogger(CircuitBreakerRegistry.class);
    private static final CircuitBreakerRegistry GLOBAL = new CircuitBreakerRegistry(CircuitBreakerConfig.ofDefaults("default"));

    private final CircuitBreakerConfig defaultConfig;
    private final ConcurrentMap<String, CircuitBreaker> breakers = new ConcurrentHashMap<>();
    // Guards the pairing of "existing breakers" and "listeners" so no breaker is missed or seen twice.
    private final Object listenersLock = new Object();
    private final List<Consumer<CircuitBreaker>> addedListeners = new CopyOnWriteArrayList<>();
    private final List<TransitionListener> transitionListeners = new CopyOnWriteArrayList<>();

    /** A registry whose breakers default to {@link CircuitBreakerConfig#ofDefaults(String)}. */
    public CircuitBreakerRegistry() {
        this(CircuitBreakerConfig.ofDefaults("default"));
    }

    /** A registry whose breakers default to {@code defaultConfig} (under their own names). */
    public CircuitBreakerRegistry(CircuitBreakerConfig defaultConfig) {
        this.defaultConfig = Objects.requireNonNull(defaultConfig, "defaultConfig");
    }

    /** The process-wide registry, with the default config. */
    public static CircuitBreakerRegistry global() {
        return GLOBAL;
    }

    /** The breaker called {@code name}, created with the registry's default config if missing. */
    public CircuitBreaker getOrCreate(String name) {
        return getOrCreate(name, defaultConfig);
    }

    /**
     * The breaker called {@code name}, created from {@code config} (renamed to {@code name}) if missing.
     * When it exists, it is returned as it is, and {@code config} is not used.
     */
    public CircuitBreaker getOrCreate(String name, CircuitBreakerConfig config) {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(config, "config");
        CircuitBreaker existing = breakers.get(name);
        if (existing != null) {
            return existing;
        }
        CircuitBreakerConfig named = config.withName(name);
        boolean[] created = {false};
        CircuitBreaker breaker = breakers.computeIfAbsent(name, n -> {
            created[0] = true;
            return CircuitBreaker.of(named);
        });
        if (created[0]) {
            announce(breaker);
        }
        return breaker;
    }

    private void announce(CircuitBreaker breaker) {
        synchronized (listenersLock) {
            breaker.onTransition(this::fanOut);
            for (Consumer<CircuitBreaker> listener : addedListeners) {
                notifyAdded(listener, breaker);
            }
        }
    }

    private void fanOut(StateTransition transition) {
        for (TransitionListener listener : transitionListeners) {
            try {
                listener.onTransition(transition);
            } catch (RuntimeException e) {
                LOG.warn("Registry transition listener {} failed on {}; carrying on", listener, transition, e);
            }
        }
    }

    private static void notifyAdded(Consumer<CircuitBreaker> listener, CircuitBreaker breaker) {
        try {
            listener.accept(breaker);
        } catch (RuntimeException e) {
            LOG.warn("Registry listener {} failed for breaker '{}'; carrying on", listener, breaker.name(), e);
        }
    }

    /** The breaker called {@code name}, if it exists. */
    public Optional<CircuitBreaker> get(String name) {
        return Optional.ofNullable(breakers.get(Objects.requireNonNull(name, "name")));
    }

    /**
     * Forgets the breaker called {@code name} (a later {@code getOrCreate} makes a new one, which loads its
     * state from its store, if it has one). Listeners already attached to it stay attached.
     */
    public Optional<CircuitBreaker> remove(String name) {
        return Optional.ofNullable(breakers.remove(Objects.requireNonNull(name, "name")));
    }

    /** Every breaker, in no particular order. */
    public Collection<CircuitBreaker> all() {
        return List.copyOf(breakers.values());
    }

    /** Calls {@code listener} for every existing breaker now, then for each one created later. */
    public Subscription forEachBreaker(Consumer<CircuitBreaker> listener) {
        Objects.requireNonNull(listener, "listener");
        synchronized (listenersLock) {
            for (CircuitBreaker breaker : breakers.values()) {
                notifyAdded(listener, breaker);
            }
            addedListeners.add(listener);
        }
        return () -> addedListeners.remove(listener);
    }

    /** Listens to the transitions of every breaker of this registry, existing and future. */
    public Subscription onTransition(TransitionListener listener) {
        Objects.requireNonNull(listener, "listener");
        transitionListeners.add(listener);
        return () -> transitionListeners.remove(listener);
    }

    /** The config used when none is given. */
    public CircuitBreakerConfig defaultConfig() {
        return defaultConfig;
    }
}
