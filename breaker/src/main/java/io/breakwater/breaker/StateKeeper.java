package io.breakwater.breaker;

import io.breakwater.breaker.internal.Failures;
import io.breakwater.breaker.internal.Phase;
import io.breakwater.breaker.internal.StoreWriter;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongFunction;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A breaker's link to its {@link BreakerStateStore}: the state to start from, the saves after each
 * transition (on the store's own thread), and the count of store failures, which never reach the breaker.
 */
final class StateKeeper {

    private static final Logger LOG = LoggerFactory.getLogger(CircuitBreaker.class);

    private final BreakerStateStore store;
    private final CircuitBreakerConfig config;
    private final String name;
    private final Clock clock;
    private final AtomicLong errors = new AtomicLong();
    // Whether the first store failure was logged as a warning; later ones go to debug.
    private final AtomicBoolean warned = new AtomicBoolean();

    StateKeeper(BreakerStateStore store, CircuitBreakerConfig config) {
        this.store = store;
        this.config = config;
        this.name = config.name();
        this.clock = config.clock();
    }

    /** The phase to start in: what the store kept, if it is recent enough, else {@code closed}. */
    Phase restore(LongFunction<Phase.Closed> closed) {
        Optional<PersistedState> loaded;
        try {
            loaded = store.load(name);
        } catch (Exception | LinkageError e) {
            failed("load", e);
            return closed.apply(0);
        }
        if (loaded.isEmpty()) {
            return closed.apply(0);
        }
        PersistedState saved = loaded.get();
        Instant wallNow = Instant.ofEpochMilli(clock.currentTimeMillis());
        if (saved.since().plus(config.stateTtl()).isBefore(wallNow)) {
            LOG.info("Circuit breaker '{}': saved state {} since {} is older than {}; starting CLOSED", name, saved.state(),
                    saved.since(), config.stateTtl());
            return closed.apply(0);
        }
        long now = clock.nanoTime();
        long sinceMillis = saved.since().toEpochMilli();
        switch (saved.state()) {
            case OPEN:
            case HALF_OPEN: {
                Instant until = saved.state() == CircuitBreakerState.HALF_OPEN ? wallNow
                        : saved.openUntil() != null ? saved.openUntil() : saved.since().plus(config.resetTimeout());
                long remaining = Math.max(0, Duration.between(wallNow, until).toNanos());
                LOG.warn("Circuit breaker '{}' restored OPEN (since {}: {}); next trial call in {}", name, saved.since(),
                        saved.reason(), CircuitBreaker.human(Duration.ofNanos(remaining)));
                return new Phase.Open(0, now, sinceMillis, 0, now + Math.max(1, remaining));
            }
            case FORCED_OPEN:
            case DISABLED:
                LOG.warn("Circuit breaker '{}' restored {} (since {})", name, saved.state(), saved.since());
                return new Phase.Manual(saved.state(), 0, now, sinceMillis);
            case CLOSED:
            default:
                return closed.apply(0);
        }
    }

    /** Saves the state {@code t} entered; {@code current} gives an OPEN state's next attempt time. */
    void save(StateTransition t, Phase current) {
        Instant openUntil = current instanceof Phase.Open open && current.sequence == t.sequence()
                ? clock.toInstant(open.retryAtNanos) : null;
        PersistedState state = new PersistedState(t.to(), t.at(), openUntil, t.reason());
        StoreWriter.submit(() -> {
            try {
                store.save(name, state);
            } catch (Exception | LinkageError e) {
                failed("save", e);
            }
        });
    }

    long errors() {
        return errors.get();
    }

    private void failed(String what, Throwable e) {
        long count = errors.incrementAndGet();
        if (warned.compareAndSet(false, true)) {
            LOG.warn("State store {} could not {} breaker '{}': {}. The breaker works on without it; further store "
                    + "failures are counted (storeErrors, breaker.store.errors) and logged at debug level",
                    store, what, name, Failures.describe(e));
        } else {
            LOG.debug("State store {} could not {} breaker '{}' ({} failures so far)", store, what, name, count, e);
        }
    }
}
