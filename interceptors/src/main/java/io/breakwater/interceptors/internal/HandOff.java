package io.breakwater.interceptors.internal;

import java.time.Duration;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;

/**
 * A bounded queue from any number of threads to one consumer thread, without a lock. Its bound is exact: a full queue
 * refuses at once, and never holds more than its capacity, even for a moment. Elements that must not be refused ({@link
 * PastCapacity}: a flush's mark) are queued past it, and neither count toward it nor take a place in it. A consumer that finds it empty looks
 * again for a few microseconds, then says it sleeps and sleeps: a thread that offers wakes it only then, so that a
 * producer offering element after element pays no wake-up (a system call on each side) per element.
 *
 * <p>Other threads may take elements too ({@link #poll()}, {@link #remove}): every element is taken once.
 */
final class HandOff<E> {

    // Looks of the consumer at the empty queue before it sleeps (a spin-wait hint before each: microseconds in all).
    private static final int SPINS = 64;

    private final int capacity;
    private final long idleWaitNanos;
    private final Thread consumer;
    private final ConcurrentLinkedQueue<E> queue = new ConcurrentLinkedQueue<>();
    // Elements in the queue, counted by reserve() before one is queued: at most capacity.
    private final AtomicInteger size = new AtomicInteger();
    // Set by the consumer before its last look at the empty queue, until it wakes. It and the queue's own fields are
    // volatile: an offer either is seen by that look, or sees this set and wakes the consumer.
    private volatile boolean consumerWaiting;

    /** For {@code consumer}, which sleeps at most {@code idleWait} at a time. */
    HandOff(int capacity, Duration idleWait, Thread consumer) {
        this.capacity = capacity;
        this.idleWaitNanos = idleWait.toNanos();
        this.consumer = consumer;
    }

    /** Queues {@code e}, waking the consumer if it sleeps; false, at once, when the queue is full. */
    boolean offer(E e) {
        if (!reserve()) {
            return false;
        }
        queue.offer(e);
        if (consumerWaiting) {
            LockSupport.unpark(consumer);
        }
        return true;
    }

    /** An element queued past the capacity ({@link #offerPastCapacity}), not counted in {@link #size()}. */
    interface PastCapacity {
    }

    /** Queues {@code e} even when the queue is full (it is not counted), waking the consumer if it sleeps. */
    void offerPastCapacity(E e) {
        if (!(e instanceof PastCapacity)) {
            throw new IllegalArgumentException("only a PastCapacity element is queued past the capacity: " + e);
        }
        queue.offer(e);
        if (consumerWaiting) {
            LockSupport.unpark(consumer);
        }
    }

    private boolean reserve() {
        for (int n = size.get(); n < capacity; n = size.get()) {
            if (size.compareAndSet(n, n + 1)) {
                return true;
            }
        }
        return false;
    }

    /** The oldest element, taken; null when there is none. */
    E poll() {
        E e = queue.poll();
        if (e != null && !(e instanceof PastCapacity)) {
            size.decrementAndGet();
        }
        return e;
    }

    /**
     * Takes {@code e} itself if it is still queued, not an element equal to it (rare paths only: a linear search). The
     * queue may hold a caller's own objects, whose {@code equals} may say two distinct ones are equal.
     */
    boolean remove(E e) {
        boolean removed = queue.remove(new Same(e));
        if (removed && !(e instanceof PastCapacity)) {
            size.decrementAndGet();
        }
        return removed;
    }

    int size() {
        return size.get();
    }

    /**
     * For the consumer, after {@link #poll()} found nothing: the next element, waiting for it until it comes, until
     * {@link #wake()}, or for the idle wait at most. Null: nothing came, or {@code stop} holds.
     */
    E await(BooleanSupplier stop) {
        for (int i = 0; i < SPINS; i++) {
            Thread.onSpinWait();
            E e = poll();
            if (e != null) {
                return e;
            }
        }
        consumerWaiting = true;
        try {
            E e = poll();   // after saying so: an element offered before is seen, one offered after wakes us
            if (e != null || stop.getAsBoolean()) {
                return e;
            }
            LockSupport.parkNanos(this, idleWaitNanos);
            return poll();
        } finally {
            consumerWaiting = false;
        }
    }

    /**
     * Equal to one object only, {@code target} itself: a collection's {@code remove(o)} asks {@code o.equals(element)}, so
     * this removes {@code target} by identity.
     */
    private static final class Same {
        private final Object target;

        Same(Object target) {
            this.target = target;
        }

        @Override
        public boolean equals(Object other) {
            return other == target;
        }

        @Override
        public int hashCode() {
            return System.identityHashCode(target);
        }
    }

    /** Wakes the consumer if it sleeps (or makes its next sleep end at once). */
    void wake() {
        LockSupport.unpark(consumer);
    }
}
