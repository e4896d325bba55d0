package io.breakwater.consumer.internal;

import io.breakwater.breaker.Clock;
import io.breakwater.breaker.GuardClosedException;
import io.breakwater.breaker.Throwables;
import io.breakwater.consumer.FailedRecordHandler;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Predicate;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One handler call behind the gate, and what its outcome means for the record: handled, tried again later, given
 * to the failed-record handler, or refused (the loop holds). Loop thread only.
 */
final class RecordSteps<K, V> {

    private static final Logger LOG = LoggerFactory.getLogger("io.breakwater.consumer.GatedConsumer");

    /** What the round does after one record (or batch). */
    enum Step {
        /** Handled (by the handler or the failed-record handler): its offset may be committed. */
        DONE,
        /** Not handled, to be tried again: the partition is sought back to it; other partitions go on. */
        RETRY,
        /** Refused by the gate: the loop holds until the breaker moves. */
        REFUSED,
        /** The handler was refused by a breaker it called: the loop holds for the backoff. */
        BACK_OFF,
        /** The loop's thread was interrupted in the handler: the round stops, everything not handled sought back. */
        INTERRUPTED
    }

    /** Attempts in all at one record, across breaker cycles, per {@code maxAttempts}: see {@link Ledger#failedAttempt}. */
    static final int ATTEMPTS_IN_ALL_FACTOR = 10;

    /** The work of one handler call. */
    @FunctionalInterface
    interface Work {
        void run() throws Exception;
    }

    private final String name;
    private final Gate gate;
    private final Ledger ledger;
    private final HandlerWatch watch;
    private final LoopCounters counters;
    private final Clock clock;
    private final Predicate<Throwable> countsAsFailure;
    private final FailedRecordHandler<K, V> failedRecords;
    private final int maxAttempts;
    private final int maxAttemptsInAll;
    private final AtomicBoolean predicateWarned = new AtomicBoolean();
    private long closedGuardWarnedAt = -1;   // the clock's nanos at the last warning of a closed guard; loop thread
    private final long retryBackoffMillis;
    // The transitions the breaker had made when a failure while DISABLED was last logged: once per DISABLED period.
    private long disabledWarnedAt = -1;

    RecordSteps(LoopSettings<K, V> settings, Gate gate, Ledger ledger, HandlerWatch watch, LoopCounters counters) {
        this.name = settings.name();
        this.gate = gate;
        this.ledger = ledger;
        this.watch = watch;
        this.counters = counters;
        this.clock = settings.breaker().config().clock();
        this.countsAsFailure = settings.countsAsFailure();
        this.failedRecords = settings.failedRecordHandler();
        this.maxAttempts = settings.maxAttempts();
        this.maxAttemptsInAll = (int) Math.min(Integer.MAX_VALUE, (long) maxAttempts * ATTEMPTS_IN_ALL_FACTOR);
        this.retryBackoffMillis = settings.retryBackoff().toMillis();
    }

    /**
     * Handles {@code record} with {@code work} if the gate admits it; one whose failed-record handler refused it goes to
     * that handler again, without running {@code work} again (its failures would count into the breaker every backoff).
     */
    Step handle(ConsumerRecord<K, V> record, Work work) {
        Throwable due = ledger.handOverDue(record);
        if (due != null) {
            return toFailedRecords(record, due);
        }
        Gate.Admission admission = gate.admit();
        if (admission == null) {
            return Step.REFUSED;
        }
        if (admission.trial()) {
            counters.trials++;
        }
        Outcome outcome = invoke(admission, work);
        if (outcome.failure == null) {
            ledger.handled(record);
            counters.handled++;
            return Step.DONE;
        }
        return failed(record, admission, outcome);
    }

    /** The outcome of one handler call: its failure (null: success), and whether the loop reports it. */
    record Outcome(Throwable failure, long nanos, boolean report) {
    }

    /**
     * Runs {@code work} under the watch and reports a success to the gate (unless the watchdog counted the call
     * already). A failure is left to the caller; an {@code Error} that ends the loop ({@link FailureKinds#isFatal}) is reported
     * as ignored and thrown on.
     */
    Outcome invoke(Gate.Admission admission, Work work) {
        HandlerWatch.Call call = watch.begin(admission.permit);
        Throwable failure = null;
        try {
            work.run();
        } catch (Throwable t) {
            failure = t;
        }
        boolean report = watch.end(call);
        long nanos = clock.nanoTime() - call.startNanos();
        if (failure == null && report) {
            gate.succeeded(admission, nanos);
        } else if (FailureKinds.isFatal(failure)) {
            if (report) {
                gate.ignored(admission);
            }
            throw (Error) failure;
        }
        return new Outcome(failure, nanos, report);
    }

    /**
     * Whether {@code failure} counts (the record is tried again) rather than being the record's own fault: a refusal
     * is no failure; a throwing predicate counts. A {@code StackOverflowError} (a record too deep for the handler)
     * is tried again like a counting failure, {@code maxAttempts} times, then handed over; the breaker itself never
     * counts it (a {@code VirtualMachineError} says nothing about the dependency).
     */
    boolean counts(Throwable failure) {
        if (failure instanceof StackOverflowError) {
            return true;
        }
        try {
            return countsAsFailure.test(failure);
        } catch (VirtualMachineError e) {
            throw e;
        } catch (Throwable e) {
            if (predicateWarned.compareAndSet(false, true)) {
                LOG.warn("Consumer '{}': the failure predicate threw on {}; counting it as a failure", name,
                        failure.getClass().getName(), e);
            }
            return true;
        }
    }

    /** A refusal ({@link FailureKinds#isRefusal}) holds the record back: a closed guard's is warned of, once a minute at most. */
    void heldBack(Throwable failure) {
        long now = clock.nanoTime();
        if (FailureKinds.refusal(failure) instanceof GuardClosedException closed
                && (closedGuardWarnedAt == -1 || now - closedGuardWarnedAt >= 60e9)) {
            closedGuardWarnedAt = now;
            LOG.warn("Consumer '{}': {} is closed; the records it fails are neither handed over as failed nor committed past: "
                    + "the loop backs off and tries them again until it is closed itself (close a consumer before what its "
                    + "handler uses)", name, closed.guard());
        }
    }

    private Step failed(ConsumerRecord<K, V> record, Gate.Admission admission, Outcome outcome) {
        Throwable failure = outcome.failure;
        if (FailureKinds.isInterrupt(failure)) {
            // Interrupted inside the handler: the record is not handled; the interrupt is kept, so the next poll ends the loop.
            if (outcome.report) {
                gate.ignored(admission);
            }
            Thread.currentThread().interrupt();
            return Step.INTERRUPTED;
        }
        if (FailureKinds.isRefusal(failure)) {
            if (outcome.report) {
                gate.ignored(admission);
            }
            heldBack(failure);
            gate.backOff();
            return Step.BACK_OFF;
        }
        if (counts(Throwables.unwrap(failure))) {
            if (outcome.report) {
                gate.failed(admission, failure, outcome.nanos);
            }
            counters.handlerFailures++;
            Ledger.Attempts attempts = ledger.failedAttempt(record, gate.transitions(), gate.successes(), counters.handled);
            if (attempts.inAll < maxAttemptsInAll && gate.disabled() && !attempts.othersHandled) {
                // A DISABLED breaker never opens (nor counts successes), so failures in a row tell an outage from a
                // poison record only by what else this loop handled meanwhile: nothing, and the loop backs off and
                // tries again, handing the record over only after its attempts in all. Others handled since its last
                // try: the record alone fails, and the rule in a row holds. Its first try says nothing yet.
                if (attempts.inRow > 1) {
                    warnDisabledOnce(record, failure);
                    gate.backOff();
                    return Step.BACK_OFF;
                }
                return Step.RETRY;
            }
            if (attempts.inRow < maxAttempts && attempts.inAll < maxAttemptsInAll) {
                return Step.RETRY;
            }
            LOG.warn("Consumer '{}': record {}-{}@{} failed {} times in a row while the breaker kept admitting calls or "
                    + "others succeeded ({} times in all); passing it to the failed-record handler: {}", name,
                    record.topic(), record.partition(), record.offset(), attempts.inRow, attempts.inAll,
                    Throwables.describe(failure));
        } else if (outcome.report) {
            gate.ignored(admission);
        }
        return toFailedRecords(record, failure);
    }

    private void warnDisabledOnce(ConsumerRecord<K, V> record, Throwable failure) {
        long transitions = gate.transitions();
        if (disabledWarnedAt != transitions) {
            disabledWarnedAt = transitions;
            LOG.warn("Consumer '{}': record {}-{}@{} failed while the breaker is DISABLED, which cannot open in an outage; "
                    + "the loop pauses {} ms between tries, and hands a record over after {} tries ({})", name,
                    record.topic(), record.partition(), record.offset(), retryBackoffMillis, maxAttemptsInAll,
                    Throwables.describe(failure));
        }
    }

    /**
     * Gives {@code record} to the failed-record handler; a handler that throws gets it again, at most maxAttempts
     * times (counted apart from the record's own attempts).
     */
    Step toFailedRecords(ConsumerRecord<K, V> record, Throwable failure) {
        try {
            failedRecords.handle(record, failure);
        } catch (Throwable e) {
            if (FailureKinds.isFatal(e)) {
                throw (Error) e;
            }
            if (FailureKinds.isInterrupt(e)) {
                // Interrupted handing the record over (awaiting a dead letter's acknowledgement): unhandled; the loop ends.
                Thread.currentThread().interrupt();
                return Step.INTERRUPTED;
            }
            if (FailureKinds.isRefusal(e)) {
                // The failed-record handler's guarded resource refused (open, or closed): no try; back off, it comes again.
                ledger.handOverRefused(record, failure);
                heldBack(e);
                gate.backOff();
                return Step.BACK_OFF;
            }
            int attempts = ledger.failedHandOver(record);
            if (attempts < maxAttempts) {
                LOG.warn("Consumer '{}': the failed-record handler {} threw on {}-{}@{} (attempt {} of {}); the record "
                        + "will be tried again: {}", name, failedRecords, record.topic(), record.partition(),
                        record.offset(), attempts, maxAttempts, Throwables.describe(e));
                return Step.RETRY;
            }
            LOG.error("Consumer '{}': record {}-{}@{} is dropped: it failed ({}) and the failed-record handler {} "
                    + "could not take it in {} attempts ({})", name, record.topic(), record.partition(), record.offset(),
                    Throwables.describe(failure), failedRecords, attempts, Throwables.describe(e));
            ledger.handled(record);
            counters.dropped++;
            return Step.DONE;
        }
        ledger.handled(record);
        counters.failed++;
        return Step.DONE;
    }
}
