package io.breakwater.breaker;

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
}
