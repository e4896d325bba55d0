package io.breakwater.status.internal;

import io.breakwater.status.InstanceEvent;
import io.breakwater.status.StatusMessage;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;

/**
 * What a status publisher still has to send, in order per key. Each key's newest message always waits until it is
 * sent (one per breaker that changed: no more than the breakers themselves); the older ones are history, kept up to
 * {@value PublisherCore#MAX_EVENTS_PER_KEY} per key (the oldest go first) and {@code maxHistory} in all, past which
 * every key is cut to its newest. Of an instance's heartbeats only the newest waits. A message that is not newer than
 * the last one accepted for its key (a duplicate) is skipped. A message being sent is never dropped for room: the one
 * behind it goes instead. Every method is synchronized on this object, which is
 * also the monitor that the publisher thread waits on.
 */
final class PendingMessages {

    /** What became of an offered message. */
    enum Offer { QUEUED, DUPLICATE, CLOSED }

    private final int maxHistory;
    // Keys in the order they began to wait; a key leaves when its last message is sent.
    private final LinkedHashMap<String, ArrayDeque<StatusMessage>> pending = new LinkedHashMap<>();
    private final Map<String, StatusMessage> lastAccepted = new HashMap<>();
    // The messages of the round being sent (from awaitNext until each is answered): a key's first one may be in it, and
    // is then never dropped for room, or it would be counted both dropped and published.
    private final Set<StatusMessage> inFlight = Collections.newSetFromMap(new IdentityHashMap<>());
    private int waiting;
    private long dropped;
    private long closeDeadlineNanos = Long.MAX_VALUE;
    private boolean closing;

    PendingMessages(int maxHistory) {
        if (maxHistory < 1) {
            throw new IllegalArgumentException("maxHistory must be at least 1, was " + maxHistory);
        }
        this.maxHistory = maxHistory;
    }

    synchronized Offer offer(StatusMessage message) {
        if (closing) {
            dropped++;
            return Offer.CLOSED;
        }
        if (!message.isNewerThan(lastAccepted.get(message.key()))) {
            return Offer.DUPLICATE;
        }
        lastAccepted.put(message.key(), message);
        ArrayDeque<StatusMessage> queue = pending.computeIfAbsent(message.key(), k -> new ArrayDeque<>());
        if (message instanceof InstanceEvent) {
            waiting -= queue.size(); // only the newest heartbeat says anything
            queue.clear();
        } else if (queue.size() >= PublisherCore.MAX_EVENTS_PER_KEY) {
            StatusMessage sending = inFlight.contains(queue.peekFirst()) ? queue.pollFirst() : null;
            queue.pollFirst();
            waiting--;
            dropped++;
            if (sending != null) {
                queue.addFirst(sending);
            }
        }
        queue.addLast(message);
        waiting++;
        if (waiting - pending.size() > maxHistory) {
            coalesce();
        }
        notifyAll();
        return Offer.QUEUED;
    }

    // Cuts every key to its newest message: one pass over the keys that frees more than maxHistory messages, so its
    // cost, spread over the offers that filled the history, is (keys / maxHistory) per offer.
    private void coalesce() {
        for (ArrayDeque<StatusMessage> queue : pending.values()) {
            StatusMessage sending = inFlight.contains(queue.peekFirst()) ? queue.pollFirst() : null;
            while (queue.size() > 1) {
                queue.pollFirst();
                waiting--;
                dropped++;
            }
            if (sending != null) {
                queue.addFirst(sending);
            }
        }
    }

    /**
     * Waits for messages to send, then returns the first waiting message of each of the first {@code max} keys (so no
     * two of one key); null when closing and nothing is left, or the close's time is up.
     */
    synchronized List<StatusMessage> awaitNext(int max) throws InterruptedException {
        while (pending.isEmpty() && !closing) {
            wait();
        }
        if (pending.isEmpty() || (closing && System.nanoTime() - closeDeadlineNanos >= 0)) {
            return null;
        }
        List<StatusMessage> next = new ArrayList<>(Math.min(max, pending.size()));
        inFlight.clear();   // what the last round did not answer is sent again, or dropped like any other
        for (ArrayDeque<StatusMessage> queue : pending.values()) {
            if (next.size() == max) {
                break;
            }
            next.add(queue.peekFirst());
        }
        inFlight.addAll(next);
        return next;
    }

    /** {@code sent} went out: it leaves the queue (unless a newer heartbeat replaced it meanwhile). */
    synchronized void sent(StatusMessage sent) {
        leave(sent);
        notifyAll();
    }

    /**
     * {@code refused} can never go out (the cluster refuses the record itself): it leaves the queue, counted as dropped,
     * so that the key's later messages go on.
     */
    synchronized void refused(StatusMessage refused) {
        if (leave(refused)) {
            dropped++;
        }
        notifyAll();
    }

    private boolean leave(StatusMessage message) {
        inFlight.remove(message);
        ArrayDeque<StatusMessage> queue = pending.get(message.key());
        if (queue == null || queue.peekFirst() != message) {
            return false;
        }
        queue.pollFirst();
        waiting--;
        if (queue.isEmpty()) {
            pending.remove(message.key());
        }
        return true;
    }

    /**
     * Waits {@code millis} (at least 1) before the next try, or less when closing. A new message does not end the wait:
     * while the cluster is away, breakers moving would otherwise have the publisher try again at their pace.
     */
    synchronized void backOff(long millis) throws InterruptedException {
        long until = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(Math.max(1, millis));
        long left;
        while ((left = Math.min(TimeUnit.NANOSECONDS.toMillis(until - System.nanoTime()), millisLeft())) > 0) {
            wait(left);
        }
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

    synchronized List<StatusMessage> snapshot() {
        return pending.values().stream().flatMap(ArrayDeque::stream).toList();
    }

    synchronized int size() {
        return waiting;
    }

    /** Messages dropped so far: a key's older events coalesced away, refused by the cluster, or offered after close. */
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
