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
    // One listener for every breaker of this registry, not one each.
    private final TransitionListener fanOut = this::fanOut;
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
        return getOrCreate(Objects.requireNonNull(name, "name"), defaultConfig, false);
    }

    /**
     * The breaker called {@code name}, created from {@code config} (renamed to {@code name}) if missing.
     * When it exists, it is returned if its config is the same as {@code config} (names, and the predicates,
     * which cannot be compared, aside).
     *
     * <p>A new breaker with a state store is restored before it is returned (see
     * {@link CircuitBreaker#of(CircuitBreakerConfig)}); the store is never asked while a lock is held.
     *
     * @throws IllegalArgumentException when the breaker exists with a different config; the message names
     *         every setting that differs
     */
    public CircuitBreaker getOrCreate(String name, CircuitBreakerConfig config) {
        return getOrCreate(Objects.requireNonNull(name, "name"), Objects.requireNonNull(config, "config"), true);
    }

    private CircuitBreaker getOrCreate(String name, CircuitBreakerConfig config, boolean sameConfigRequired) {
        CircuitBreaker existing = breakers.get(name);
        if (existing != null) {
            existing.awaitRestored();
            return sameConfigRequired ? sameConfig(existing, config) : existing;
        }
        CircuitBreaker created = CircuitBreaker.unrestored(config.withName(name));
        // Registry listeners hear the breaker before anyone can use it, so no transition is missed.
        created.onTransition(fanOut);
        synchronized (listenersLock) {
            existing = breakers.putIfAbsent(name, created);
            if (existing == null) {
                for (Consumer<CircuitBreaker> listener : addedListeners) {
                    notifyAdded(listener, created);
                }
            }
        }
        if (existing != null) {
            existing.awaitRestored();
            return sameConfigRequired ? sameConfig(existing, config) : existing;
        }
        created.restore();
        return created;
    }

    private static CircuitBreaker sameConfig(CircuitBreaker existing, CircuitBreakerConfig wanted) {
        if (existing.config() != wanted) {
            List<String> differences = existing.config().differences(wanted);
            if (!differences.isEmpty()) {
                throw new IllegalArgumentException("Circuit breaker '" + existing.name() + "' already exists with another "
                        + "config (existing vs requested): " + String.join(", ", differences)
                        + ". Use one config per name, or another name.");
            }
        }
        return existing;
    }

    private void fanOut(StateTransition transition) {
        for (TransitionListener listener : transitionListeners) {
            try {
                listener.onTransition(transition);
            } catch (VirtualMachineError e) {
                throw e;
            } catch (Throwable e) {
                LOG.warn("Registry transition listener {} failed on {}; carrying on", listener, transition, e);
            }
        }
    }

    private static void notifyAdded(Consumer<CircuitBreaker> listener, CircuitBreaker breaker) {
        try {
            listener.accept(breaker);
        } catch (VirtualMachineError e) {
            throw e;
        } catch (Throwable e) {
            LOG.warn("Registry listener {} failed for breaker '{}'; carrying on", listener, breaker.name(), e);
        }
    }

    /** The breaker called {@code name}, if it exists; at once, even while it is being restored. */
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

    /**
     * Calls {@code listener} for every existing breaker now, then for each one created later, until the subscription is
     * closed: once its close returns, the listener is not called again. So the close waits for a call under way, to this
     * or another listener (a close from inside a listener returns at once): close it holding no lock a listener takes.
     */
    public Subscription forEachBreaker(Consumer<CircuitBreaker> listener) {
        Objects.requireNonNull(listener, "listener");
        synchronized (listenersLock) {
            for (CircuitBreaker breaker : breakers.values()) {
                notifyAdded(listener, breaker);
            }
            addedListeners.add(listener);
        }
        // Under the lock that notifies: once the close returns, no breaker made meanwhile is still on its way to it.
        return () -> {
            synchronized (listenersLock) {
                addedListeners.remove(listener);
            }
        };
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
