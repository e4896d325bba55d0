package io.breakwater.status.internal;

import io.breakwater.status.InstanceEvent;
import io.breakwater.status.StatusMessage;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * What a status publisher still has to send, in order per key: at most {@value PublisherCore#MAX_EVENTS_PER_KEY}
 * breaker events per key (the oldest go first) and {@value PublisherCore#MAX_KEYS} keys (the oldest key goes
 * first); of an instance's heartbeats only the newest waits. A message that is not newer than the last one
 * accepted for its key (a duplicate) is skipped. Every method is synchronized on this object, which is also the
 * monitor that the publisher thread waits on.
 */
final class PendingMessages {

    /** What became of an offered message. */
    enum Offer { QUEUED, DUPLICATE, CLOSED }

    private final LinkedHashMap<String, ArrayDeque<StatusMessage>> pending = new LinkedHashMap<>();
    private final Map<String, StatusMessage> lastAccepted = new HashMap<>();
    private long dropped;
    private long closeDeadlineNanos = Long.MAX_VALUE;
    private boolean closing;

    synchronized Offer offer(StatusMessage message) {
        if (closing) {
            dropped++;
            return Offer.CLOSED;
        }
        if (!message.isNewerThan(lastAccepted.get(message.key()))) {
            return Offer.DUPLICATE;
        }
        lastAccepted.put(message.key(), message);
        ArrayDeque<StatusMessage> queue = pending.get(message.key());
        if (queue == null) {
            if (pending.size() >= PublisherCore.MAX_KEYS) {
                Iterator<Map.Entry<String, ArrayDeque<StatusMessage>>> eldest = pending.entrySet().iterator();
                dropped += eldest.next().getValue().size();
                eldest.remove();
            }
            queue = new ArrayDeque<>();
            pending.put(message.key(), queue);
        }
        if (message instanceof InstanceEvent) {
            queue.clear(); // only the newest heartbeat says anything
        } else if (queue.size() >= PublisherCore.MAX_EVENTS_PER_KEY) {
            queue.pollFirst();
            dropped++;
        }
        queue.addLast(message);
        notifyAll();
        return Offer.QUEUED;
    }

    /** Waits for the next message to send; null when closing and nothing is left, or the close's time is up. */
    synchronized StatusMessage awaitNext() throws InterruptedException {
        while (pending.isEmpty() && !closing) {
            wait();
        }
        if (pending.isEmpty() || (closing && System.nanoTime() - closeDeadlineNanos >= 0)) {
            return null;
        }
        return pending.values().iterator().next().peekFirst();
    }

    /** {@code sent} went out: it leaves the queue (unless something newer replaced it meanwhile). */
    synchronized void sent(StatusMessage sent) {
        ArrayDeque<StatusMessage> queue = pending.get(sent.key());
        if (queue != null && queue.peekFirst() == sent) {
            queue.pollFirst();
            if (queue.isEmpty()) {
                pending.remove(sent.key());
            }
        }
        notifyAll();
    }

    /** Waits {@code millis} (at least 1) before the next try, or less when closing. */
    synchronized void backOff(long millis) throws InterruptedException {
        wait(Math.max(1, Math.min(millis, millisLeft())));
    }

    /** Milliseconds left before the close's deadline; {@code Long.MAX_VALUE} while not closing. */
    synchronized long millisLeft() {
        return !closing ? Long.MAX_VALUE : Math.max(0, TimeUnit.NANOSECONDS.toMillis(closeDeadlineNanos - System.nanoTime()));
    }

    /** From now on nothing is accepted; what waits may be sent until {@code deadlineNanos}. False if already closing. */
    synchronized boolean close(long deadlineNanos) {
        if (closing) {
            return false;
        }
        closeDeadlineNanos = deadlineNanos;
        closing = true;
        notifyAll();
        return true;
    }

    synchronized java.util.List<StatusMessage> snapshot() {
        return pending.values().stream().flatMap(ArrayDeque::stream).toList();
    }

    synchronized int size() {
        return pending.values().stream().mapToInt(ArrayDeque::size).sum();
    }

    /** Messages dropped so far: a full queue, too many keys, or offered after close. */
    synchronized long dropped() {
        return dropped;
    }

    /** Counts {@code n} more as dropped (left unsent at close). */
    synchronized void dropped(int n) {
        dropped += n;
    }

    /** Waits until nothing is pending, at most {@code timeout}; true when everything was sent. */
    synchronized boolean flush(Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!pending.isEmpty()) {
            long left = deadline - System.nanoTime();
            if (left <= 0) {
                return false;
            }
            TimeUnit.NANOSECONDS.timedWait(this, left);
        }
        return true;
    }
}
