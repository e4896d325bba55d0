package io.breakwater.cli.internal;

import java.time.Duration;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;

/**
 * The events {@code status --follow} has read and not yet printed. The reader's thread adds, the command's thread
 * prints. It holds at most its capacity: output that stalls (a paused pager, a full pipe) costs that much memory, and
 * what arrives beyond it is counted, for the command to say how many it could not print, never dropped unsaid.
 */
public final class FollowBacklog<E> implements Consumer<E> {

    private final int capacity;
    private final BlockingQueue<E> events;
    private final AtomicLong dropped = new AtomicLong();

    public FollowBacklog(int capacity) {
        if (capacity < 1) {
            throw new IllegalArgumentException("capacity must be at least 1, but was " + capacity);
        }
        this.capacity = capacity;
        this.events = new LinkedBlockingQueue<>(capacity);
    }

    /** Adds an event, or counts it as dropped when the backlog is full; never blocks the reader. */
    @Override
    public void accept(E event) {
        if (!events.offer(event)) {
            dropped.incrementAndGet();
        }
    }

    /** The oldest event held, waiting up to {@code wait} for one; null if none came. */
    public E poll(Duration wait) throws InterruptedException {
        return events.poll(wait.toNanos(), TimeUnit.NANOSECONDS);
    }

    /** How many events were dropped since the last call. */
    public long takeDropped() {
        return dropped.getAndSet(0);
    }

    public int capacity() {
        return capacity;
    }
}
