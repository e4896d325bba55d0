package io.breakwater.interceptors.internal;

import java.util.ArrayList;
import java.util.List;
import org.apache.kafka.clients.producer.Callback;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.errors.InterruptException;

/**
 * The flushes of one {@link SendQueue}: each waits for a {@link FlushMark} queued behind the records it waits for, let go
 * only once each of them was handed over (the sender took it after its hand-over before ended) or failed and told so.
 * A drain that runs off the sender thread (the breaker opened) fails records while the sender may still be handing one
 * over, and its failures are told on its own thread: a mark it takes goes back in the queue, behind the sender's
 * hand-over, and one the sender takes meanwhile waits until the drain has told every failure.
 */
final class FlushMarks {

    private final HandOff<Callback> queue;
    // Set by close() once its last drain is done: a mark queued later would wait for good, so it is not waited on.
    private volatile boolean drained;
    // Drains running off the sender thread, and the marks the sender took meanwhile; guarded by this.
    private int draining;
    private List<FlushMark> deferred;
    // Marks close's drains took while the sender may still be handing a record over (close's wait for it timed out), let
    // go once the sender ends, and whether it has; guarded by this. A flush never returns before that record is done.
    private List<FlushMark> afterSender;
    private boolean senderEnded;
    private KafkaException stuck;   // why close gave up on the sender, should it have

    FlushMarks(HandOff<Callback> queue) {
        this.queue = queue;
    }

    /**
     * Queues a mark and waits until it is let go.
     *
     * @throws InterruptException (Kafka's, as its {@code flush} throws) when interrupted; the thread stays interrupted
     */
    void await() {
        FlushMark mark = new FlushMark();
        queue.offerPastCapacity(mark);
        if (drained && queue.remove(mark)) {   // close drained the queue for the last time, maybe before the mark came:
            untilSenderEnds(mark);             // only a record the sender may still be handing over is before it
        }
        try {
            mark.await();   // not drained when the mark came: close's last drain (or the sender) takes it
        } catch (InterruptedException e) {
            queue.remove(mark);
            Thread.currentThread().interrupt();
            throw new InterruptException(e);
        }
        if (mark.failure() != null) {
            throw mark.failure();
        }
    }

    /** The sender took {@code mark}, its hand-over before it ended: let go now, or once the drains running end. */
    synchronized void senderTook(FlushMark mark) {
        if (draining == 0) {
            mark.countDown();
        } else {
            (deferred == null ? deferred = new ArrayList<>() : deferred).add(mark);
        }
    }

    /** A drain off the sender thread begins. */
    synchronized void drainBegins() {
        draining++;
    }

    /**
     * A drain off the sender thread ended, every failure it took told: the marks it took ({@code taken}, may be null)
     * go back in the queue, for the sender; those the sender took meanwhile are let go once no drain runs.
     */
    void drainEnded(List<FlushMark> taken) {
        synchronized (this) {
            if (--draining == 0 && deferred != null) {
                deferred.forEach(FlushMark::countDown);
                deferred = null;
            }
        }
        if (taken != null) {
            for (FlushMark mark : taken) {
                queue.offerPastCapacity(mark);
                if (drained && queue.remove(mark)) {
                    untilSenderEnds(mark);   // close's last drain may have run already: nobody else would take it
                }
            }
        }
    }

    /** Close's drain took {@code mark}: let go now if the sender has ended, else once it does. */
    synchronized void untilSenderEnds(FlushMark mark) {
        if (senderEnded) {
            mark.letGo(stuck);
        } else {
            (afterSender == null ? afterSender = new ArrayList<>() : afterSender).add(mark);
        }
    }

    /** The sender thread ends: the marks close took are let go. */
    synchronized void senderEnded() {
        senderEnded(null);
    }

    /** Close gave up waiting for the sender of {@code breaker}'s producer, still in its send(): the flushes throw. */
    void senderStuck(String breaker) {
        senderEnded(new KafkaException("The producer of '" + breaker + "' closed while a record was still in its send(): "
                + "this flush cannot tell whether every record before it is done"));
    }

    /**
     * The sender thread ends, or with {@code failure} close gave up waiting for it: the marks close took are let go,
     * their flushes throwing {@code failure}, as from now on a flush that comes after close's drains.
     */
    synchronized void senderEnded(KafkaException failure) {
        if (senderEnded) {
            return;
        }
        senderEnded = true;
        stuck = failure;
        if (afterSender != null) {
            afterSender.forEach(mark -> mark.letGo(failure));
            afterSender = null;
        }
    }

    /** Close's last drain is done. */
    void drained() {
        drained = true;
    }
}
