package io.breakwater.breaker;

import io.breakwater.breaker.internal.Failures;
import io.breakwater.breaker.internal.StoreThreads;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A breaker's link to its {@link BreakerStateStore}: the state to start from, the saves after each
 * transition, and the count of store failures, which never reach the breaker. All store I/O runs on the
 * store threads, never on the caller's: a load is awaited at most {@code stateRestoreWait}, and a later
 * answer is applied when it comes, if the breaker has not moved meanwhile.
 */
final class StateKeeper {

    private static final Logger LOG = LoggerFactory.getLogger(CircuitBreaker.class);

    private final BreakerStateStore store;
    private final CircuitBreakerConfig config;
    private final StateMachine machine;
    // A restored backoff level above this is taken as this: the wait reached maxResetTimeout long before.
    private static final int MAX_REOPENS = 1_000;
    private final String name;
    private final Clock clock;
    private final AtomicLong errors = new AtomicLong();
    // Open until restore() has returned: others who find the breaker in a registry wait for it.
    private final CountDownLatch restored = new CountDownLatch(1);
    // Whether the first store failure was logged as a warning; later ones go to debug.
    private final AtomicBoolean warned = new AtomicBoolean();

    StateKeeper(BreakerStateStore store, CircuitBreakerConfig config, StateMachine machine) {
        this.store = store;
        this.config = config;
        this.machine = machine;
        this.name = config.name();
        this.clock = config.clock();
        machine.dispatcher.add(this::save);
        warnIfForgottenFirst(store, config);
    }

    // The stores whose retention was found shorter than a breaker's stateTtl, and said so.
    private static final java.util.Set<BreakerStateStore> SHORT_RETENTION_TOLD =
            java.util.Collections.synchronizedSet(java.util.Collections.newSetFromMap(new java.util.WeakHashMap<>()));

    /** A WARN, once per store, when it forgets states before {@code config}'s breaker would stop taking them. */
    private static void warnIfForgottenFirst(BreakerStateStore store, CircuitBreakerConfig config) {
        Optional<Duration> retention;
        try {
            retention = store.retention();
        } catch (RuntimeException e) {
            return;   // a store of the user's that cannot say: nothing to warn of
        }
        if (retention != null && retention.isPresent() && retention.get().compareTo(config.stateTtl()) < 0
                && SHORT_RETENTION_TOLD.add(store)) {
            LoggerFactory.getLogger(BreakerStateStore.class).warn("Circuit breaker '{}': its state store {} keeps a saved state for {}, less than the breaker's stateTtl "
                    + "({}): a state saved longer ago, such as a FORCED_OPEN set by an operator, is gone at the next start. "
                    + "Give the store a TTL of at least the stateTtl (said once per store)", config.name(), store,
                    Texts.human(retention.get()), Texts.human(config.stateTtl()));
        }
    }

    /** Loads the saved state on a store thread; applies it now if it comes within the wait, else when it comes. */
    void restore() {
        try {
            load();
        } finally {
            restored.countDown();
        }
    }

    /** Whether {@link #restore()} has returned: the saved state was applied, or its wait ended. */
    boolean settled() {
        return restored.getCount() == 0;
    }

    /** Waits, at most the restore wait, until {@link #restore()} has returned. */
    void awaitRestored() {
        if (restored.getCount() == 0) {
            return;
        }
        try {
            restored.await(config.stateRestoreWait().toNanos() + TimeUnit.MILLISECONDS.toNanos(100), TimeUnit.NANOSECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private void load() {
        CompletableFuture<Optional<PersistedState>> load = new CompletableFuture<>();
        try {
            StoreThreads.load(() -> {
                try {
                    Optional<PersistedState> loaded = store.load(name);
                    if (loaded == null) {
                        throw new IllegalStateException(store + " returned null from load(\"" + name
                                + "\"); a store with nothing saved returns Optional.empty()");
                    }
                    load.complete(loaded);
                } catch (Throwable e) {
                    load.completeExceptionally(e);
                }
            });
        } catch (RejectedExecutionException e) {
            failed("load", e);
            return;
        }
        Duration wait = config.stateRestoreWait();
        try {
            apply(load.get(wait.toNanos(), TimeUnit.NANOSECONDS), false);
            return;
        } catch (TimeoutException e) {
            LOG.info("Circuit breaker '{}': state store {} did not answer within {}; starting CLOSED, and applying its "
                    + "answer if it comes before the first transition", name, store, Texts.human(wait));
        } catch (ExecutionException e) {
            failed("load", e.getCause());
            return;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        load.whenComplete((state, error) -> {
            if (error != null) {
                failed("load", error);
            } else {
                apply(state, true);
            }
        });
    }

    private void apply(Optional<PersistedState> loaded, boolean late) {
        Phase restored = loaded.map(saved -> phaseOf(saved, late ? 1 : 0)).orElse(null);
        if (restored == null) {
            return;
        }
        PersistedState saved = loaded.get();
        String reason = "restored " + saved.state() + " (since " + saved.since() + ": " + saved.reason() + ")";
        if (!machine.moves.restore(restored, late, reason)) {
            LOG.info("Circuit breaker '{}': saved state {} came after the breaker had moved; ignored", name, saved.state());
        } else if (restored instanceof Phase.Open open) {
            LOG.warn("Circuit breaker '{}' {}; next trial call in {}", name, reason,
                    Texts.human(Duration.ofNanos(Math.max(0, open.retryAtNanos - clock.nanoTime()))));
        } else {
            LOG.warn("Circuit breaker '{}' {}", name, reason);
        }
    }

    /**
     * The phase to start in for {@code saved}, numbered {@code sequence} (0 when it replaces the first phase
     * unseen, 1 when it is announced as a transition), or null to start CLOSED (kept too long ago).
     */
    private Phase phaseOf(PersistedState saved, long sequence) {
        Instant wallNow = Instant.ofEpochMilli(clock.currentTimeMillis());
        if (saved.since().plus(config.stateTtl()).isBefore(wallNow)) {
            LOG.info("Circuit breaker '{}': saved state {} since {} is older than {}; starting CLOSED", name, saved.state(),
                    saved.since(), config.stateTtl());
            return null;
        }
        long now = clock.nanoTime();
        long sinceMillis = saved.since().toEpochMilli();
        switch (saved.state()) {
            case OPEN:
            case HALF_OPEN: {
                int reopens = Math.min(saved.reopenCount(), MAX_REOPENS);   // a store's absurd value cannot overflow
                Instant until = saved.state() == CircuitBreakerState.HALF_OPEN ? wallNow
                        : saved.openUntil() != null ? saved.openUntil()
                        : saved.since().plusNanos(machine.moves.openWaitNanos(reopens));
                long remaining = Math.max(0, Duration.between(wallNow, until).toNanos());
                // Its backoff level too: a trial that fails re-opens it for the wait its re-opens have grown to.
                return new Phase.Open(sequence, now, sinceMillis, reopens, now + Math.max(1, remaining));
            }
            case FORCED_OPEN:
            case DISABLED:
                return new Phase.Manual(saved.state(), sequence, now, sinceMillis);
            case CLOSED:
            default:
                return null;
        }
    }

    /** Saves the state {@code t} entered, on the store thread; a save that cannot even be queued counts as an error. */
    private void save(StateTransition t) {
        Phase current = machine.current();
        boolean same = current.sequence == t.sequence();
        Instant openUntil = current instanceof Phase.Open open && same ? clock.toInstant(open.retryAtNanos) : null;
        int reopenCount = same && (current instanceof Phase.Open || current instanceof Phase.HalfOpen)
                ? current.reopenCount : 0;
        PersistedState state = new PersistedState(t.to(), t.at(), openUntil, t.reason(), reopenCount);
        StoreThreads.save(() -> {
            try {
                store.save(name, state);
            } catch (Throwable e) {
                failed("save", e);
            }
        }, dropped -> failed("save", new IllegalStateException("the save queue is full; dropped the save of " + state.state())));
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
