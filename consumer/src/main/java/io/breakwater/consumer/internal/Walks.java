package io.breakwater.consumer.internal;

import io.breakwater.breaker.Clock;
import io.breakwater.breaker.Throwables;
import io.breakwater.consumer.BatchHandler;
import io.breakwater.consumer.RecordHandler;
import io.breakwater.consumer.internal.RecordSteps.Outcome;
import io.breakwater.consumer.internal.RecordSteps.Step;
import java.util.ArrayList;
import java.util.List;
import java.util.function.BooleanSupplier;
import org.apache.kafka.clients.consumer.ConsumerRecord;

/**
 * Walks the records of one round through the handler: one at a time (a record handler, or a batch handler's
 * fallback), or as one batch. Each partition's records go in offset order; a record not handled stops its
 * partition for the round (sought back to it), a refusal stops the round (everything not handled sought back), and
 * so does the end of the round's time budget.
 * Loop thread only.
 */
final class Walks<K, V> {

    private final RecordSteps<K, V> steps;
    private final Gate gate;
    private final Ledger ledger;
    private final LoopCounters counters;
    private final RecordHandler<K, V> recordHandler;
    private final BatchHandler<K, V> batchHandler;
    // True once close was asked for: the round stops where it is (nothing more is polled, so no seek is needed).
    private final BooleanSupplier stopping;
    // A round hands records to the handler for at most this long (half of max.poll.interval.ms), then the rest is
    // sought back, so that the next poll comes before Kafka drops the consumer from its group.
    private final Clock clock;
    private final long budgetNanos;
    private long roundEnds;
    // Set when a trial batch failed and the breaker refused again: until the breaker closes, its trials go one record at
    // a time, so that a record that fails any batch holding it is found, counted, and in the end handed over, instead
    // of failing every trial batch (its stream stopped for good).
    private boolean trialsAlone;

    Walks(LoopSettings<K, V> settings, RecordSteps<K, V> steps, Gate gate, Ledger ledger, LoopCounters counters,
          BooleanSupplier stopping) {
        this.steps = steps;
        this.gate = gate;
        this.ledger = ledger;
        this.counters = counters;
        this.recordHandler = settings.recordHandler();
        this.batchHandler = settings.batchHandler();
        this.stopping = stopping;
        this.clock = settings.breaker().config().clock();
        this.budgetNanos = settings.roundBudget().toNanos();
    }

    /** Handles the round; true when the loop must hold (pause everything) now. */
    boolean walk(Round<K, V> round) {
        roundEnds = clock.nanoTime() + budgetNanos;
        return batchHandler == null ? oneByOne(round, 0, round.size()) : asBatch(round);
    }

    /** Records {@code from} to {@code to} of the round, one handler call each. */
    private boolean oneByOne(Round<K, V> round, int from, int to) {
        int i = from;
        while (i < to) {
            if (stopping.getAsBoolean()) {
                return false;
            }
            if (Thread.currentThread().isInterrupted()) {
                round.seekBackFrom(i); // interrupted during a handler that carried on: the loop ends at its next check
                return false;
            }
            if (i > from && clock.nanoTime() - roundEnds >= 0) {
                round.seekBackFrom(i); // the round's time is up: the rest comes again after the next poll
                return false;
            }
            ConsumerRecord<K, V> record = round.get(i);
            Step step = steps.handle(record, batchHandler == null
                    ? () -> recordHandler.handle(record)
                    : () -> batchHandler.handle(List.of(record)));
            switch (step) {
                case DONE -> i++;
                case RETRY -> {
                    round.seekBack(i);
                    i = round.nextPartition(i);
                }
                case INTERRUPTED -> {
                    round.seekBackFrom(i); // the round stops: the loop ends at its next check of the interrupt
                    return false;
                }
                default -> {
                    if (step == Step.REFUSED) {
                        gate.refused();
                    }
                    round.seekBackFrom(i);
                    return true;
                }
            }
        }
        return false;
    }

    /**
     * The round as one batch: one admission in CLOSED; in HALF_OPEN one trial admission per record (in the observing
     * mode at most {@code halfOpenMaxCalls}), and the batch cut to the records admitted. A failed batch is tried again
     * one record at a time, unless the breaker now refuses, the handler was refused or the thread interrupted. After a
     * trial batch failed, the trials until the breaker closes are one record each, as with a record handler.
     */
    private boolean asBatch(Round<K, V> round) {
        boolean due = ledger.handOversDue();
        for (int i = 0; due && i < round.size(); i++) {
            if (ledger.handOverDue(round.get(i)) != null) {   // it goes to the failed-record handler, not in a batch again
                return oneByOne(round, 0, round.size());
            }
        }
        Gate.Admission first = gate.admit();
        if (first == null) {
            gate.refused();
            round.seekBackFrom(0);
            return true;
        }
        if (!first.trial()) {
            trialsAlone = false;
        } else if (trialsAlone) {
            gate.release(first);   // the record takes a trial of its own
            boolean hold = oneByOne(round, 0, 1);
            round.seekBackFrom(1);
            return hold;
        }
        List<Gate.Admission> admissions = new ArrayList<>();
        admissions.add(first);
        boolean cut = false;
        int limit = first.trial() ? gate.trialBatchLimit(round.size()) : 1;
        while (admissions.size() < limit) {
            Gate.Admission next = gate.admit();
            if (next == null) {
                gate.refused(); // the loop holds once this batch is done, until the breaker moves
                cut = true;
                break;
            }
            admissions.add(next);
        }
        List<Gate.Admission> others = admissions.subList(1, admissions.size());
        int take = first.trial() ? admissions.size() : round.size();
        List<ConsumerRecord<K, V>> batch = List.copyOf(round.records.subList(0, take));
        Outcome outcome;
        try {
            outcome = steps.invoke(first, () -> batchHandler.handle(batch));
        } catch (Error fatal) {
            others.forEach(gate::release); // the loop ends: the other trial permits are given back first
            throw fatal;
        }
        // The first admission carries the batch's outcome; the other trials share a success, or are given back.
        Throwable failure = outcome.failure();
        others.forEach(failure == null ? other -> gate.succeeded(other, outcome.nanos()) : gate::release);
        if (failure != null && (FailureKinds.isInterrupt(failure) || FailureKinds.isRefusal(failure))) {
            if (outcome.report()) {
                gate.ignored(first);
            }
            round.seekBackFrom(0);
            if (FailureKinds.isInterrupt(failure)) {
                Thread.currentThread().interrupt(); // kept, so that the loop ends like a close
                return false;
            }
            steps.heldBack(failure);
            gate.backOff();
            return true;
        }
        int trials = first.trial() ? take : 0;
        boolean hold = cut;
        if (failure == null) {
            batch.forEach(ledger::handled);
            counters.handled += take;
            counters.trials += trials;
        } else if (failedBatch(first, outcome)) {
            counters.trials += trials;
            trialsAlone = first.trial();
            round.seekBackFrom(0);
            return hold; // the breaker refuses now: the next round sees it, and holds
        } else {
            hold |= oneByOne(round, 0, take); // counts its own trial records
        }
        round.seekBackFrom(take);
        return hold;
    }

    /** Reports a failed batch; true when the breaker refuses calls now. */
    private boolean failedBatch(Gate.Admission first, Outcome outcome) {
        boolean counts = steps.counts(Throwables.unwrap(outcome.failure()));
        if (counts) {
            counters.handlerFailures++;
        }
        if (outcome.report()) {
            if (counts) {
                gate.failed(first, outcome.failure(), outcome.nanos());
            } else {
                gate.ignored(first);
            }
        }
        return gate.rejecting();
    }
}
