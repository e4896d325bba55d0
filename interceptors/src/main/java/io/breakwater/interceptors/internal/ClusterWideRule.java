package io.breakwater.interceptors.internal;

import io.breakwater.breaker.CircuitBreakerState;
import io.breakwater.breaker.Clock;
import io.breakwater.breaker.Permit;
import java.time.Duration;
import java.util.concurrent.ConcurrentHashMap;

/**
 * When a breaker guards a producer shared by many streams (topics), it must open only when the cluster
 * answers nobody, never because one stream is in trouble (a topic without a leader, without rights). A
 * failure of one topic counts only when
 * <ul>
 *   <li>no send to any topic has succeeded within the silence period (the in-flight threshold), and</li>
 *   <li>it is the only topic sent to within the last {@value #HORIZON_SECONDS} s, or at least two topics have
 *       failed since the last success anywhere and since the breaker last went HALF_OPEN.</li>
 * </ul>
 * In HALF_OPEN, while several topics are in use, each topic holds at most one trial permit at a time, so the
 * trials probe more than one topic and one bad topic cannot take them all.
 *
 * <p>Thread-safe, and its cost does not grow with the topics: it keeps the last topic sent to and when any other
 * topic was last sent to (two topics in use is all the rule asks), the same for failures, and the trial permits
 * held while any are. A send reads three memory words and writes none unless its topic or the clock's coarse
 * millisecond changed since the last; those few changes a millisecond take a lock. Sends are kept on the coarse
 * time (a millisecond is plenty beside the {@value #HORIZON_SECONDS} s horizon); successes, failures and HALF_OPEN
 * keep exact times, as they are compared with each other.
 */
public final class ClusterWideRule {

    /** How long a topic counts as in use after its last send. */
    public static final long HORIZON_SECONDS = 30;

    private final Clock clock;
    private final long silenceNanos;
    private final long horizonNanos = Duration.ofSeconds(HORIZON_SECONDS).toNanos();
    private final LastTwo sends = new LastTwo();
    private final LastTwo failures = new LastTwo();
    // Trial permits held, by topic; a topic leaves when its last is answered, so this is empty outside HALF_OPEN.
    private final ConcurrentHashMap<String, Integer> trials = new ConcurrentHashMap<>();
    private volatile long lastSuccessNanos;
    // Failures before this do not count towards "two topics failed": the last success, or HALF_OPEN began.
    private volatile long epochNanos;

    public ClusterWideRule(Clock clock, Duration silence) {
        this.clock = clock;
        this.silenceNanos = silence.toNanos();
        this.lastSuccessNanos = clock.nanoTime();
        this.epochNanos = lastSuccessNanos;
    }

    private static String key(String topic) {
        return topic == null ? "" : topic;
    }

    /** A send to {@code topic} is attempted (refused ones too: the topic is in use). */
    public void attempted(String topic) {
        sends.mark(key(topic), clock.coarseNanoTime());
    }

    /**
     * Whether a send to {@code topic} may use {@code permit}: a trial permit is refused when the topic
     * already holds one and other topics are in use. A permit admitted here must be {@link #answered}.
     */
    public boolean admit(String topic, Permit permit) {
        if (!permit.isTrial()) {
            return true;
        }
        if (trials.merge(key(topic), 1, Integer::sum) == 1 || !twoInUse(clock.coarseNanoTime())) {
            return true;
        }
        release(key(topic));
        return false;
    }

    /** The send admitted with {@code permit} is answered (or expired, or never made). */
    public void answered(String topic, Permit permit) {
        if (permit.isTrial()) {
            release(key(topic));
        }
    }

    private void release(String topic) {
        trials.computeIfPresent(topic, (t, held) -> held <= 1 ? null : held - 1);
    }

    /** The breaker entered {@code state}: trials start from fresh evidence. */
    public void entered(CircuitBreakerState state) {
        if (state == CircuitBreakerState.HALF_OPEN) {
            epochNanos = clock.nanoTime();
        }
    }

    public void succeeded(String topic) {
        long now = clock.nanoTime();
        lastSuccessNanos = now;
        epochNanos = now;
    }

    /** A send to {@code topic} failed: true when the failure counts against the shared breaker. */
    public boolean failed(String topic) {
        long now = clock.nanoTime();
        failures.mark(key(topic), now);
        if (now - lastSuccessNanos < silenceNanos) {
            return false;
        }
        return !twoInUse(clock.coarseNanoTime()) || failures.bothSince(epochNanos);
    }

    /**
     * Whether the failures now are the cluster's rather than one topic's: one topic in use, or two topics
     * failing since the last success anywhere (the stall check asks this too).
     */
    public boolean clusterWide() {
        return !twoInUse(clock.coarseNanoTime()) || failures.bothSince(epochNanos);
    }

    /** Whether two topics or more were sent to within the horizon. */
    private boolean twoInUse(long now) {
        return sends.bothSince(now - horizonNanos + 1);
    }

    /**
     * The latest mark of a series of (topic, time) marks, and the latest mark of any other topic: enough to tell
     * whether two topics were marked since a time. Marks that change nothing are read-only; the others take the lock.
     * Neither time goes back, and the latest is never older than the other's, whatever order the marks come in.
     */
    static final class LastTwo {
        private static final long NEVER = Long.MIN_VALUE;

        private volatile String topic;
        private volatile long at = NEVER;
        private volatile long otherAt = NEVER;

        void mark(String t, long now) {
            if (at == now && (otherAt == now || t.equals(topic))) {
                return;
            }
            synchronized (this) {
                if (t.equals(topic)) {
                    if (at == NEVER || now - at > 0) {
                        at = now;
                    }
                } else if (at != NEVER && now - at < 0) {
                    // A mark that read the clock before the last one (it waited for the lock): another topic, earlier.
                    if (otherAt == NEVER || now - otherAt > 0) {
                        otherAt = now;
                    }
                } else {
                    otherAt = at;
                    topic = t;
                    at = now;
                }
            }
        }

        /** Whether two topics were marked at {@code since} or later. */
        boolean bothSince(long since) {
            long other = otherAt;
            long last = at;
            return other != NEVER && last != NEVER && other - since >= 0 && last - since >= 0;
        }
    }
}
