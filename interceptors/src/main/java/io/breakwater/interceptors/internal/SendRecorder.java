package io.breakwater.interceptors.internal;

import io.breakwater.breaker.CircuitBreaker;
import io.breakwater.breaker.Clock;
import io.breakwater.breaker.Permit;
import io.breakwater.breaker.Throwables;
import io.breakwater.breaker.watch.CallTracker;
import io.breakwater.breaker.watch.TrackedCall;
import io.breakwater.breaker.watch.TrackerLimits;
import io.breakwater.interceptors.FailureClassifier;
import java.time.Duration;
import org.apache.kafka.clients.producer.Callback;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.errors.AuthorizationException;

/**
 * What a guarded producer records: each send's outcome under the permit it was sent with, the watchdog's
 * expiries of sends blocked or unanswered too long, and stalls. A stall is a send unanswered for the
 * in-flight threshold with no send at all succeeding since it began: it opens the breaker at once, so one
 * caller thread with one record in flight is enough to notice a dead cluster. For a producer shared by many
 * topics ({@link ClusterWideRule}), a stall also needs the silence to be the cluster's: one topic in use, or
 * two failing. Shortly after the cluster refused the producer's credentials ({@link CredentialRefusals}), nothing
 * stalls and no send expires: the refusal is a configuration error, surfaced to each caller, and the wait is Kafka's
 * for its next attempt to log in.
 */
public final class SendRecorder {

    private final CircuitBreaker breaker;
    private final FailureClassifier classifier;
    private final Clock clock;
    private final ClusterWideRule clusterRule;
    private final CallTracker tracker;
    private final String blockThresholdText;
    private final String inFlightThresholdText;
    private final long inFlightNanos;
    private final CredentialRefusals refusals;
    // Set when close begins: outcomes from then on are the shutdown's, not the cluster's.
    private volatile boolean closing;
    // The topic of the last acknowledgement (as Kafka names it: after the producer's interceptors), or null.
    private volatile String lastAcknowledged;

    public SendRecorder(CircuitBreaker breaker, FailureClassifier classifier, Clock clock, ClusterWideRule clusterRule,
                        Duration blockThreshold, String blockThresholdName, Duration inFlightThreshold,
                        String inFlightThresholdName, CredentialRefusals refusals) {
        this.breaker = breaker;
        this.classifier = classifier;
        this.clock = clock;
        this.clusterRule = clusterRule;
        // Records wait in line in Kafka's buffer: one behind a backlog that moves is not late (TrackerLimits.inLine).
        this.tracker = new CallTracker(breaker.name(),
                new TrackerLimits(clock::nanoTime, blockThreshold, inFlightThreshold, 1 << 16, true).inLine());
        this.blockThresholdText = blockThresholdName + "=" + blockThreshold.toMillis();
        this.inFlightThresholdText = inFlightThresholdName + "=" + inFlightThreshold.toMillis();
        this.inFlightNanos = inFlightThreshold.toNanos();
        this.refusals = refusals;
    }

    /** A send under {@code permit} begins now; {@code user} is the caller's callback (may be null). */
    public Send begin(Permit permit, String topic, Callback user) {
        Send send = new Send(clock.nanoTime(), permit, topic, user);
        tracker.begin(send);
        return send;
    }

    /** Whether the producer's last acknowledgement came from {@code topic}: its metadata is at hand. */
    public boolean lastAcknowledged(String topic) {
        return topic.equals(lastAcknowledged);
    }

    /** Close began: outcomes and expiries from now on are ignored, and nothing stalls. */
    public void closing() {
        closing = true;
    }

    /** The watchdog's tick: expiries, the stall check, the breaker's timeouts. */
    public void check() {
        tracker.run();
        long now = clock.nanoTime();
        long waited = tracker.oldestPendingAgeNanos(now);
        long failing = tracker.failingRunNanos();
        if (!closing && !refusals.refusing() && (waited >= inFlightNanos || failing >= inFlightNanos)
                && (clusterRule == null || clusterRule.clusterWide())) {
            breaker.recordStall(waited >= inFlightNanos
                    ? "no send answered for " + waited / 1_000_000 + " ms and none succeeded (" + inFlightThresholdText + ")"
                    : "no send succeeded for " + failing / 1_000_000 + " ms, each failed or unanswered ("
                            + inFlightThresholdText + ")");
        }
        breaker.checkTimeouts();
    }

    /** One send: its permit, its tracking, and the caller's callback, which always runs. */
    public final class Send extends TrackedCall implements Callback {
        private final Permit permit;
        private final String topic;
        private final Callback user;
        // Sent on untracked (callersOwn): the caller's thread's alone.
        private boolean untracked;

        Send(long start, Permit permit, String topic, Callback user) {
            super(start);
            this.permit = permit;
            this.topic = topic;
            this.user = user;
        }

        @Override
        public void onCompletion(RecordMetadata metadata, Exception exception) {
            try {
                long now = clock.nanoTime();   // one read for the answer's every use
                if (exception == null) {
                    // Evidence that the cluster answers, even when this answer comes after the send expired; and the line of
                    // every send begun after this one moved.
                    tracker.succeeded(this, now);
                    refusals.succeeded();
                    String acknowledged = metadata == null ? null : metadata.topic();
                    if (acknowledged != null && !acknowledged.equals(lastAcknowledged)) {
                        lastAcknowledged = acknowledged;
                    }
                    if (clusterRule != null) {
                        clusterRule.succeeded(topic);
                    }
                }
                settle(exception, now);
            } finally {
                if (user != null) {
                    user.onCompletion(metadata, exception);
                }
            }
        }

        /** The delegate's {@code send()} returned: the record waits for its answer now. */
        public void returned() {
            tracker.returned(this);
        }

        /**
         * The caller's own error, found before the send: a partition the topic does not have. Neither a failure nor a
         * stall: the send goes on untracked, and its permit is given back.
         */
        public void callersOwn() {
            untracked = true;
            tracker.neutral(clock.nanoTime());
            if (tracker.answer(this)) {
                if (clusterRule != null) {
                    clusterRule.answered(topic, permit);
                }
                breaker.recordIgnored(permit);
            }
        }

        /**
         * The delegate's {@code send()} threw {@code failure} (an untracked one's is the caller's alone; after an answer,
         * it is the caller's callback's own, thrown from the answer Kafka gives within {@code send()}: judged already).
         */
        public void threw(Throwable failure) {
            if (untracked) {
                return;
            }
            settle(failure, clock.nanoTime());
        }

        /**
         * Judges the answer once ({@code failure} null: a success): a failure that says something about the cluster,
         * whichever topic it came from, joins the tracker's failing run, and the outcome is recorded unless the
         * watchdog counted the send already.
         */
        private void settle(Throwable failure, long now) {
            if (answered()) {
                return;   // a second answer (Kafka answers a send of a doomed transaction within send() and later again)
            }
            boolean counts = failure != null && judge(failure, now);
            if (tracker.answer(this)) {
                record(failure, counts, now);
            }
        }

        /**
         * Whether {@code failure} counts, and what it says to the stall checks. A refusal of the producer's
         * credentials or of its rights is the cluster answering: evidence against a stall, as a success is. A
         * failure that counts joins the failing run.
         */
        private boolean judge(Throwable failure, long now) {
            boolean counts = !closing && Verdicts.counts(classifier, failure);
            if (refusals.refused(failure)) {
                tracker.succeeded(now);
            } else if (Throwables.unwrap(failure) instanceof AuthorizationException) {
                tracker.succeeded(now);
                refusals.cleared();
            } else if (counts) {
                tracker.failed(this, now);
                refusals.cleared();
            } else {
                tracker.neutral(now);   // the caller's own error: it ends a failing run
            }
            return counts;
        }

        private void record(Throwable failure, boolean counts, long now) {
            long elapsed = now - startNanos();
            if (clusterRule != null) {
                clusterRule.answered(topic, permit);
            }
            if (failure == null) {
                breaker.recordSuccess(permit, elapsed);
            } else if (!counts || (clusterRule != null && !clusterRule.failed(topic))) {
                breaker.recordIgnored(permit);
            } else {
                breaker.recordFailure(permit, failure, elapsed);
            }
        }

        @Override
        protected void expired(boolean blocked, long ageNanos) {
            if (clusterRule != null) {
                clusterRule.answered(topic, permit);
            }
            // While the cluster refuses the credentials, Kafka's send() waits for the next attempt to authenticate.
            if (closing || refusals.refusing() || (clusterRule != null && !clusterRule.failed(topic))) {
                breaker.recordIgnored(permit);
                return;
            }
            breaker.recordFailure(permit, blocked
                    ? "send() blocked for " + ageNanos / 1_000_000 + " ms (" + blockThresholdText + ")"
                    : "no acknowledgement for " + ageNanos / 1_000_000 + " ms (" + inFlightThresholdText + ")");
        }
    }
}
