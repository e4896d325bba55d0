package io.breakwater.jdbc.internal;

import io.breakwater.breaker.CircuitBreaker;
import io.breakwater.breaker.CircuitBreakerState;
import io.breakwater.breaker.Clock;
import io.breakwater.breaker.Permit;
import io.breakwater.breaker.watch.CallTracker;
import io.breakwater.breaker.watch.TrackedCall;
import io.breakwater.jdbc.CircuitBreakerOpenSqlException;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Predicate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What a guarded data source asks and records. Three kinds of call:
 *
 * <ul>
 *   <li><b>connect</b> ({@code getConnection}): refused while the breaker refuses; tracked against the block
 *       threshold; a failure is classified and recorded. A connection handed out says nothing about the database
 *       (a pool may hand one out without asking it), so its permit is given back, and it is no evidence for the
 *       stall check.</li>
 *   <li><b>execute</b> ({@code execute*}, {@code commit}): refused while the breaker refuses; tracked against the
 *       execution threshold; the outcome is recorded, and a success is evidence that the database answers.</li>
 *   <li><b>watch</b> ({@code rollback}, {@code setAutoCommit}, savepoints, the connection's {@code close},
 *       {@code prepareStatement}, {@code prepareCall}): never refused, since a caller cleans up with the first ones and
 *       the statement's execution is asked anyway; tracked against the execution threshold; a failure that counts is recorded, a success is not
 *       (a pool's {@code close}, and pgjdbc's prepare, may not touch the database).</li>
 * </ul>
 *
 * A stall is a call (any kind) unanswered for the execution threshold while no execution succeeded since it
 * began, or calls failing or waiting back to back for that long with none succeeding: it opens the breaker at
 * once, so one caller blocked on a dead database is enough. Thread-safe.
 */
public final class DatabaseGuard {

    private static final Logger LOG = LoggerFactory.getLogger(DatabaseGuard.class);

    /** Calls of one data source that may be pending at once before the oldest are forgotten. */
    private static final int TRACKED = 1 << 12;

    /** A call into the delegate. */
    @FunctionalInterface
    public interface Invocation<T> {
        T invoke() throws Throwable;
    }

    private final CircuitBreaker breaker;
    private final Predicate<? super Throwable> classifier;
    private final Clock clock;
    private final CallTracker tracker;
    private final long executionNanos;
    private final String blockText;
    private final String executionText;
    private final boolean stackTraces;
    // Set when the data source closes: outcomes from then on are the shutdown's, not the database's.
    private final AtomicBoolean closing = new AtomicBoolean();

    public DatabaseGuard(CircuitBreaker breaker, Predicate<? super Throwable> classifier, Clock clock,
                         Duration connectionBlockThreshold, Duration executionThreshold) {
        this.breaker = breaker;
        this.classifier = classifier;
        this.clock = clock;
        this.tracker = new CallTracker(breaker.name(), clock::nanoTime, connectionBlockThreshold, executionThreshold, TRACKED, false);
        this.executionNanos = executionThreshold.toNanos();
        this.blockText = "connectionBlockThreshold=" + connectionBlockThreshold.toMillis();
        this.executionText = "executionThreshold=" + executionThreshold.toMillis();
        this.stackTraces = breaker.config().writableStackTrace();
    }

    public CircuitBreaker breaker() {
        return breaker;
    }

    /** {@code getConnection}, named {@code call}. */
    public <T> T connect(String call, Invocation<T> invocation) throws Throwable {
        return run(begin(call, Kind.CONNECT), invocation);
    }

    /** A statement's execution or a commit on the connection {@code link}, named {@code call}. */
    public <T> T execute(String call, Link link, Invocation<T> invocation) throws Throwable {
        return run(begin(call, Kind.EXECUTE), link, invocation);
    }

    /** A call on the connection {@code link} that is never refused (a rollback, a close), named {@code call}. */
    public <T> T watch(String call, Link link, Invocation<T> invocation) throws Throwable {
        return run(begin(call, Kind.WATCH), link, invocation);
    }

    /**
     * What the guard knows of one connection: whether a failure that broke it (SQL state class 08) counted already, and
     * whether its caller closed it. One connection that broke is one failure: what fails on it after that (the rollback and
     * the {@code setAutoCommit} that clean up after a failed statement, a retry on it, a use after close, which pools
     * and drivers answer with "connection is closed", SQL state 08003, without asking the database) does not count
     * again. Other failures (insufficient resources, class 53, say) leave the connection usable, and each counts.
     */
    public static final class Link {
        private volatile boolean broken;
        private volatile boolean closedByCaller;

        /** Whether {@code failure} says the connection is broken: SQL state class 08, within a few causes. */
        static boolean breaks(Throwable failure) {
            Throwable t = failure;
            for (int depth = 0; t != null && depth < 8; depth++, t = t.getCause()) {
                if (t instanceof java.sql.SQLException e && e.getSQLState() != null && e.getSQLState().startsWith("08")) {
                    return true;
                }
            }
            return false;
        }

        /**
         * The caller closed the connection: what fails on it from now on is the caller's use after close, which says
         * nothing of the database (as a duplicate key says nothing).
         */
        public void closed() {
            closedByCaller = true;
        }
    }

    private Tracked begin(String call, Kind kind) throws CircuitBreakerOpenSqlException {
        Permit permit = null;
        if (kind != Kind.WATCH) {
            permit = breaker.tryAcquirePermit();
            if (permit == null) {
                throw new CircuitBreakerOpenSqlException(call, kind == Kind.CONNECT
                        ? CircuitBreakerOpenSqlException.REFUSED_CONNECTION
                        : CircuitBreakerOpenSqlException.REFUSED_EXECUTION, breaker.openException(), stackTraces);
            }
        }
        Tracked t = new Tracked(clock.nanoTime(), permit, call, kind);
        tracker.begin(t);
        if (kind != Kind.CONNECT) {
            // Sent, waiting for the database's answer: judged by the execution threshold.
            tracker.returned(t);
        }
        return t;
    }

    private <T> T run(Tracked t, Invocation<T> invocation) throws Throwable {
        return run(t, null, invocation);
    }

    private <T> T run(Tracked t, Link link, Invocation<T> invocation) throws Throwable {
        T result;
        try {
            result = invocation.invoke();
        } catch (Throwable e) {
            failed(t, e, link);
            throw e;
        }
        if (link != null && t.kind == Kind.EXECUTE) {
            link.broken = false;   // it answers again (a driver that reconnects): its next failure counts
        }
        succeeded(t);
        return result;
    }

    private void succeeded(Tracked t) {
        if (t.kind == Kind.EXECUTE) {
            long now = clock.nanoTime();
            // Evidence that the database answers, even when this answer comes after the call expired.
            tracker.succeeded(now);
            if (tracker.answer(t)) {
                if (isClosed()) {
                    breaker.recordIgnored(t.permit);
                } else {
                    breaker.recordSuccess(t.permit, now - t.startNanos());
                }
            }
        } else if (tracker.answer(t) && t.kind == Kind.CONNECT) {
            breaker.releasePermit(t.permit); // no verdict: a pool may hand out a connection without asking the database
        }
    }

    private void failed(Tracked t, Throwable failure, Link link) {
        boolean counts = !isClosed() && (link == null || !link.closedByCaller) && counts(failure);
        if (counts) {
            tracker.failed(t, clock.nanoTime());   // evidence for the stall check, even on a connection spent already
        } else {
            tracker.neutral(clock.nanoTime());   // the caller's own error (a duplicate key): it ends a failing run
        }
        if (link != null && counts) {
            boolean broken = link.broken;
            link.broken |= Link.breaks(failure);
            counts = !broken;   // the failure that broke the connection counts, not the cleanup or retries behind it
        }
        if (!tracker.answer(t)) {
            return; // the watchdog counted it already
        }
        if (t.permit == null) {
            if (counts && countsWithoutPermit()) {
                breaker.recordFailure(failure, clock.nanoTime() - t.startNanos());
            }
        } else if (counts) {
            breaker.recordFailure(t.permit, failure, clock.nanoTime() - t.startNanos());
        } else {
            breaker.recordIgnored(t.permit);
        }
    }

    /**
     * Whether a watched call's failure or expiry, which has no permit, may count now: only while CLOSED. In HALF_OPEN
     * it would answer a trial's permit, and a cleanup (a straggler's rollback) must not decide the trials.
     */
    private boolean countsWithoutPermit() {
        return breaker.state() == CircuitBreakerState.CLOSED;
    }

    /** The classifier's verdict; one that throws is logged, and the failure counts. */
    private boolean counts(Throwable failure) {
        try {
            return classifier.test(failure);
        } catch (VirtualMachineError e) {
            throw e;
        } catch (Throwable e) {
            LOG.warn("Breaker '{}': the SQL failure classifier {} threw on {}; counting the failure", breaker.name(),
                    classifier, failure.getClass().getName(), e);
            return true;
        }
    }

    /** The data source closes: outcomes and expiries from now on are ignored, and nothing stalls. True the first time. */
    public boolean close() {
        return closing.compareAndSet(false, true);
    }

    public boolean isClosed() {
        return closing.get();
    }

    /** The watchdog's tick: expiries, the stall check, the breaker's timeouts. */
    public void check() {
        tracker.run();
        long waited = tracker.oldestPendingAgeNanos(clock.nanoTime());
        long failing = tracker.failingRunNanos();
        if (!isClosed() && waited >= executionNanos) {
            breaker.recordStall("no database call answered for " + waited / 1_000_000 + " ms and none succeeded ("
                    + executionText + ")");
        } else if (!isClosed() && failing >= executionNanos) {
            breaker.recordStall("no database call succeeded for " + failing / 1_000_000 + " ms, each failed or unanswered ("
                    + executionText + ")");
        }
        breaker.checkTimeouts();
    }

    private enum Kind { CONNECT, EXECUTE, WATCH }

    /** One call as the tracker sees it. */
    private final class Tracked extends TrackedCall {
        final Permit permit;
        final String call;
        final Kind kind;

        Tracked(long start, Permit permit, String call, Kind kind) {
            super(start);
            this.permit = permit;
            this.call = call;
            this.kind = kind;
        }

        @Override
        protected void expired(boolean blocked, long ageNanos) {
            if (isClosed()) {
                if (permit != null) {
                    breaker.recordIgnored(permit);
                }
                return;
            }
            String details = blocked
                    ? call + " blocked for " + ageNanos / 1_000_000 + " ms (" + blockText + ")"
                    : call + " unanswered for " + ageNanos / 1_000_000 + " ms (" + executionText + ")";
            if (permit == null) {
                if (countsWithoutPermit()) {
                    breaker.recordFailure(details);
                }
            } else {
                breaker.recordFailure(permit, details);
            }
        }
    }
}
