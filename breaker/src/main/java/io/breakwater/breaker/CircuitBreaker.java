package io.breakwater.breaker;

import java.util.Objects;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.function.Supplier;

/**
 * A circuit breaker: CLOSED, OPEN, HALF_OPEN, plus FORCED_OPEN and DISABLED set by hand.
 *
 * <p>Use it around a call with {@link #call(Callable)}, {@link #execute(Supplier)} or
 * {@link #executeAsync(Supplier)}, or by hand: {@link #tryAcquirePermit()} asks for a {@link Permit}, then
 * {@link #recordSuccess(Permit, long)}, {@link #recordFailure(Permit, Throwable, long)} or
 * {@link #recordIgnored(Permit)} reports the outcome. An outcome reported with its permit is matched to the
 * period that granted it, so a late answer never decides a trial it did not take part in; the forms
 * without a permit ({@link #canExecute()}, {@link #recordSuccess()}, ...) apply to the current period.
 * Thread-safe and lock-free: asking in CLOSED is one volatile read and allocates nothing.
 *
 * <p>The rules: CLOSED opens after {@code failureThreshold} consecutive failures, or, after any recorded
 * outcome, when the window holds at least {@code minimumCalls} calls and its failure rate or slow-call rate
 * reaches its threshold. OPEN admits trial calls once the reset timeout has passed (checked on the next
 * call, or by {@link #checkTimeouts()}); each re-open may multiply the wait (backoff, with jitter, never
 * beyond {@code maxResetTimeout}). HALF_OPEN admits {@code halfOpenMaxCalls} trial calls: {@code
 * successThreshold} successes close it; a failure, a slow trial (when a slow-call rate is set) or any trial
 * left unanswered for {@code halfOpenMaxWait} re-opens it. A {@code VirtualMachineError} (out of memory,
 * stack overflow) never counts as a failure: it says nothing about the dependency.
 */
public final class CircuitBreaker extends PhaseCell {

    private final CircuitBreakerConfig config;
    private final String name;
    // Package-private for tests of the moves (backoff, jitter).
    final StateMachine machine;
    private final Calls calls;
    // Loads and saves the state through the config's store; null without one.
    private final StateKeeper keeper;

    private CircuitBreaker(CircuitBreakerConfig config, boolean restoreNow) {
        this.config = config;
        this.name = config.name();
        this.machine = new StateMachine(config, this);
        this.calls = new Calls(this, machine, config.slowCallDuration().isPresent() ? config.clock() : null);
        this.keeper = config.stateStore().map(store -> new StateKeeper(store, config, machine)).orElse(null);
        if (keeper != null && restoreNow) {
            keeper.restore();
        }
    }

    /**
     * A new breaker with {@code config}. With a state store, it starts from the saved state if the store answers within
     * {@code stateRestoreWait}; a later answer is applied when it comes, unless the breaker has moved meanwhile. Most
     * code should use a {@link CircuitBreakerRegistry}.
     */
    public static CircuitBreaker of(CircuitBreakerConfig config) {
        return new CircuitBreaker(Objects.requireNonNull(config, "config"), true);
    }

    /** A new breaker called {@code name} with the default config. */
    public static CircuitBreaker ofDefaults(String name) {
        return of(CircuitBreakerConfig.ofDefaults(name));
    }

    /** A breaker whose state is not loaded yet: the registry restores it once it has won its name. */
    static CircuitBreaker unrestored(CircuitBreakerConfig config) {
        return new CircuitBreaker(config, false);
    }

    void restore() {
        if (keeper != null) {
            keeper.restore();
        }
    }

    /** Waits (at most {@code stateRestoreWait}) until a breaker that a registry is still restoring is restored. */
    void awaitRestored() {
        if (keeper != null) {
            keeper.awaitRestored();
        }
    }

    /** Whether its saved state is in, or its restore wait over (a later answer comes as a transition); true without a store. */
    public boolean restoreSettled() {
        return keeper == null || keeper.settled();
    }

    /** Failures of the state store, to load or to save, since the breaker was created. */
    public long storeErrors() {
        return keeper == null ? 0 : keeper.errors();
    }

    public String name() {
        return name;
    }

    public CircuitBreakerConfig config() {
        return config;
    }

    /** The current state, without applying any pending timeout (see {@link #checkTimeouts()}). */
    public CircuitBreakerState state() {
        return phase.state;
    }

    /**
     * Asks to make one call. A permit means go ahead, then report the outcome with it (in HALF_OPEN this is
     * one of the trial permits). Null means the call is refused; it is counted as rejected.
     */
    public Permit tryAcquirePermit() {
        return phase instanceof Phase.Closed closed ? closed.permit : machine.acquire();
    }

    /**
     * Asks to make one call, without keeping the permit: true means go ahead, and report the outcome with
     * the forms without a permit. Prefer {@link #tryAcquirePermit()} where outcomes may arrive late.
     */
    public boolean canExecute() {
        Phase p = phase;   // in CLOSED, two reads of this object
        return p == lastClosed || p instanceof Phase.Closed || machine.acquire() != null;
    }

    /** Gives back {@code permit}, whose call was never made: in HALF_OPEN its trial slot becomes free again. */
    public void releasePermit(Permit permit) {
        machine.release(Objects.requireNonNull(permit, "permit"));
    }

    /** Gives back the oldest trial permit of the current HALF_OPEN period; nothing in other states. */
    public void releasePermit() {
        machine.release(null);
    }

    /**
     * Applies the time-based transitions now rather than on the next call: OPEN whose reset timeout passed becomes
     * HALF_OPEN; HALF_OPEN with a trial unanswered for {@code halfOpenMaxWait} re-opens. For timers that keep status
     * reports fresh when no calls arrive.
     */
    public void checkTimeouts() {
        if (!(phase instanceof Phase.Closed)) {   // a watchdog asks every breaker it visits: CLOSED has no timeouts
            machine.checkTimeouts();
        }
    }

    /** Records the success of the call made under {@code permit}, which took {@code durationNanos} (negative: unknown). */
    public void recordSuccess(Permit permit, long durationNanos) {
        machine.success(Objects.requireNonNull(permit, "permit"), durationNanos);
    }

    /** Records the failure of the call made under {@code permit} if {@code failure} counts (the config says); else ignored. */
    public void recordFailure(Permit permit, Throwable failure, long durationNanos) {
        machine.failure(Objects.requireNonNull(permit, "permit"), Objects.requireNonNull(failure, "failure"), null,
                durationNanos);
    }

    /** Records a failure of the call made under {@code permit}, described by {@code details} (always counts). */
    public void recordFailure(Permit permit, String details) {
        machine.failure(Objects.requireNonNull(permit, "permit"), null, Objects.requireNonNull(details, "details"), -1L);
    }

    /** Records that the call made under {@code permit} ended in a way that does not count; a trial permit is given back. */
    public void recordIgnored(Permit permit) {
        machine.ignored(Objects.requireNonNull(permit, "permit"));
    }

    /** Records a success of unknown duration, without a permit. */
    public void recordSuccess() {
        machine.success(null, -1L);
    }

    /** Records a success that took {@code durationNanos} (negative: unknown, never slow), without a permit. */
    public void recordSuccess(long durationNanos) {
        machine.success(null, durationNanos);
    }

    /** Records a failure of unknown duration, without a permit, if {@code failure} counts. */
    public void recordFailure(Throwable failure) {
        recordFailure(failure, -1L);
    }

    /** Records a failed call that took {@code durationNanos} (negative: unknown), without a permit, if it counts. */
    public void recordFailure(Throwable failure, long durationNanos) {
        machine.failure(null, Objects.requireNonNull(failure, "failure"), null, durationNanos);
    }

    /** Records a failure described by {@code details} (always counts), without a permit. */
    public void recordFailure(String details) {
        machine.failure(null, null, Objects.requireNonNull(details, "details"), -1L);
    }

    /**
     * Records that the dependency has answered nothing for {@code details}' period although calls are waiting (a
     * watchdog's verdict, not one call's outcome): a CLOSED breaker opens at once, whatever its counts; in other states
     * it does nothing. The stalled calls still report their own outcomes when they end.
     */
    public void recordStall(String details) {
        machine.stalled(Objects.requireNonNull(details, "details"));
    }

    /**
     * Records a call whose failure does not count (a caller's error, classified elsewhere), without a permit: it changes
     * no window and no state, is counted as ignored, and in HALF_OPEN gives the oldest trial permit back.
     */
    public void recordIgnored() {
        machine.ignored(null);
    }

    /**
     * Runs {@code callable} if permitted, recording its outcome; refused calls throw
     * {@link CircuitBreakerOpenException}. The call is timed only when {@code slowCallDuration} is set.
     */
    public <T> T call(Callable<T> callable) throws Exception {
        return calls.call(Objects.requireNonNull(callable, "callable"));
    }

    /** Like {@link #call(Callable)}, for code that throws no checked exception. */
    public <T> T execute(Supplier<T> supplier) {
        return calls.execute(Objects.requireNonNull(supplier, "supplier"));
    }

    /**
     * Starts an asynchronous call if permitted and records how it completes. The returned future completes exactly as
     * the call's stage does, on every path, even if recording throws; a refused call gets a future already failed with
     * {@link CircuitBreakerOpenException}, and {@code supplier} is not invoked.
     */
    public <T> CompletableFuture<T> executeAsync(Supplier<? extends CompletionStage<T>> supplier) {
        return calls.executeAsync(Objects.requireNonNull(supplier, "supplier"));
    }

    /** A counted refusal if every call is refused now (OPEN before its retry time, FORCED_OPEN); else null. Takes no permit. */
    public CircuitBreakerOpenException refusalNow() {
        return calls.refusal();
    }

    /**
     * Whether every call is refused now (OPEN before its retry time, FORCED_OPEN); counts nothing, takes no permit. Unlike
     * {@code state().rejectsCalls()}, false for an OPEN breaker whose retry time has come (a call moves it to HALF_OPEN).
     */
    public boolean refusesNow() {
        return calls.refuses();
    }

    /** The exception for a call refused now: names this breaker and when it next admits a call. */
    public CircuitBreakerOpenException openException() {
        return machine.openException();
    }

    /** Rejects every call until {@link #reset()} or {@link #disable()}. */
    public void forceOpen() {
        forceOpen("forced open by hand");
    }

    /** {@link #forceOpen()}, with {@code reason} as the transition's reason (such as an operator's command). */
    public void forceOpen(String reason) {
        machine.moves.manual(CircuitBreakerState.FORCED_OPEN, reason);
    }

    /** Admits every call and counts nothing until {@link #reset()} or {@link #forceOpen()}. */
    public void disable() {
        disable("disabled by hand");
    }

    /** {@link #disable()}, with {@code reason} as the transition's reason (such as an operator's command). */
    public void disable(String reason) {
        machine.moves.manual(CircuitBreakerState.DISABLED, reason);
    }

    /** Back to CLOSED with empty counters and no backoff, from any other state; on a CLOSED breaker it does nothing. */
    public void reset() {
        reset("reset by hand");
    }

    /** {@link #reset()}, with {@code reason} as the transition's reason (such as an operator's command). */
    public void reset(String reason) {
        machine.moves.reset(reason);
    }

    /**
     * Registers a listener for every later transition of this breaker. Listeners run on the thread that
     * caused the transition, one transition at a time, in order; whatever one throws is logged and contained.
     */
    public Subscription onTransition(TransitionListener listener) {
        Objects.requireNonNull(listener, "listener");
        machine.dispatcher.add(listener);
        return () -> machine.dispatcher.remove(listener);
    }

    /** The breaker as it is now. */
    public CircuitBreakerSnapshot snapshot() {
        return CircuitBreakerSnapshot.of(name, config, machine, callStats());
    }

    /** Lifetime call counts and durations, without building a whole snapshot (for metrics). */
    public CallStats callStats() {
        return CallStats.of(machine.counters);
    }

    @Override
    public String toString() {
        return "CircuitBreaker[" + name + ", " + state() + "]";
    }
}
