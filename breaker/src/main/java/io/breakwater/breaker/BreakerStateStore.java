package io.breakwater.breaker;

import java.time.Duration;
import java.util.Optional;

/**
 * Where a breaker keeps its state across restarts. A breaker with a store loads its state once, when it
 * is created, and saves it after each transition, on a thread of the store's own. A store that fails
 * never breaks the breaker: the failure is logged (a warning the first time) and counted
 * ({@link CircuitBreaker#storeErrors()}).
 */
public interface BreakerStateStore {

    /** Saves {@code state} as the state of breaker {@code breaker}. */
    void save(String breaker, PersistedState state) throws Exception;

    /** The saved state of breaker {@code breaker}, if any. */
    Optional<PersistedState> load(String breaker) throws Exception;

    /**
     * How long the store keeps a state after saving it, when it forgets states (a TTL); empty (the default) when it keeps
     * each until the next save. A breaker whose {@link CircuitBreakerConfig#stateTtl()} is longer logs a WARN, once per
     * store: a state saved longer ago than this is gone at the next start, though the breaker would still take it.
     */
    default Optional<Duration> retention() {
        return Optional.empty();
    }
}
