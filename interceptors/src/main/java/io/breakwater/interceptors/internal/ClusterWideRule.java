package io.breakwater.interceptors.internal;

import io.breakwater.breaker.CircuitBreakerState;
import io.breakwater.breaker.Clock;
import io.breakwater.breaker.Permit;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

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
 * <p>Thread-safe: every field is an atomic or volatile, updated from callers, the network thread and the
 * watchdog without a lock. A topic's last send is kept on the clock's coarse time (a millisecond is plenty beside its
 * 30 s horizon), written only when it changed, so that most sends read one memory word and write none; successes,
 * failures and HALF_OPEN keep exact times, as they are compared with each other.
 */
public final class ClusterWideRule {

    /** How long a topic counts as in use after its last send. */
    public static final long HORIZON_SECONDS = 30;

    private static final class Topic {
        volatile long lastSendNanos;
        volatile long lastFailureNanos = Long.MIN_VALUE;
        final AtomicInteger trials = new AtomicInteger();
    }

    private final Clock clock;
    private final long silenceNanos;
    private final long horizonNanos = Duration.ofSeconds(HORIZON_SECONDS).toNanos();
    private final Map<String, Topic> topics = new ConcurrentHashMap<>();
    private volatile long lastSuccessNanos;
    // Failures before this do not count towards "two topics failed": the last success, or HALF_OPEN began.
    private volatile long epochNanos;

    public ClusterWideRule(Clock clock, Duration silence) {
        this.clock = clock;
        this.silenceNanos = silence.toNanos();
        this.lastSuccessNanos = clock.nanoTime();
        this.epochNanos = lastSuccessNanos;
    }

    private Topic topic(String name) {
        return topics.computeIfAbsent(name == null ? "" : name, n -> new Topic());
    }

    /** A send to {@code topic} is attempted (refused ones too: the topic is in use). */
    public void attempted(String topic) {
        Topic t = topic(topic);
        long now = clock.coarseNanoTime();
        if (t.lastSendNanos != now) {
            t.lastSendNanos = now;
        }
    }

    /**
     * Whether a send to {@code topic} may use {@code permit}: a trial permit is refused when the topic
     * already holds one and other topics are in use. A permit admitted here must be {@link #answered}.
     */
    public boolean admit(String topic, Permit permit) {
        if (!permit.isTrial()) {
            return true;
        }
        Topic t = topic(topic);
        if (t.trials.getAndIncrement() == 0 || activeTopics(clock.coarseNanoTime()) <= 1) {
            return true;
        }
        t.trials.decrementAndGet();
        return false;
    }

    /** The send admitted with {@code permit} is answered (or expired, or never made). */
    public void answered(String topic, Permit permit) {
        if (permit.isTrial()) {
            topic(topic).trials.updateAndGet(n -> Math.max(0, n - 1));
        }
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
        topic(topic).lastFailureNanos = now;
        if (now - lastSuccessNanos < silenceNanos) {
            return false;
        }
        return activeTopics(now) <= 1 || failingTopics() >= 2;
    }

    /**
     * Whether the failures now are the cluster's rather than one topic's: one topic in use, or two topics
     * failing since the last success anywhere (the stall check asks this too).
     */
    public boolean clusterWide() {
        return activeTopics(clock.coarseNanoTime()) <= 1 || failingTopics() >= 2;
    }

    private int activeTopics(long now) {
        int active = 0;
        for (Topic t : topics.values()) {
            if (now - t.lastSendNanos < horizonNanos) {
                active++;
            }
        }
        return active;
    }

    private int failingTopics() {
        long epoch = epochNanos;
        int failing = 0;
        for (Topic t : topics.values()) {
            if (t.lastFailureNanos != Long.MIN_VALUE && t.lastFailureNanos - epoch >= 0) {
                failing++;
            }
        }
        return failing;
    }
}
