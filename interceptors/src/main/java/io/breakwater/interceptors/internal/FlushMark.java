package io.breakwater.interceptors.internal;

import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.function.BooleanSupplier;
import org.apache.kafka.clients.producer.Callback;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.errors.InterruptException;

/**
 * A flush's place in a {@link SendQueue}, let go once every entry queued before it was taken and handed over (or failed):
 * by the sender as it takes the mark, or by close. It waits in the queue as a callback, as the records do, past the
 * queue's capacity.
 */
final class FlushMark extends CountDownLatch implements Callback, HandOff.PastCapacity {

    FlushMark() {
        super(1);
    }

    @Override
    public void onCompletion(RecordMetadata metadata, Exception exception) {
        countDown();
    }

    /**
     * Queues a mark in {@code queue} and waits until it is let go. {@code drained}: whether close drained the queue for
     * the last time; a mark that comes after that is not waited for (nothing is left before it).
     *
     * @throws InterruptException (Kafka's, as its {@code flush} throws) when interrupted; the thread stays interrupted
     */
    static void await(HandOff<Callback> queue, BooleanSupplier drained) {
        FlushMark mark = new FlushMark();
        queue.offerPastCapacity(mark);
        if (drained.getAsBoolean()) {
            queue.remove(mark);
            return;
        }
        try {
            mark.await();   // not drained when the mark came: close's last drain (or the sender) takes it
        } catch (InterruptedException e) {
            queue.remove(mark);
            Thread.currentThread().interrupt();
            throw new InterruptException(e);
        }
    }

    /**
     * Queues again {@code marks}, taken by a drain while the sender may still be handing a record over, for the sender to
     * let go once it takes them; let go now if close drained the queue for the last time ({@code drained}) meanwhile.
     */
    static void handBack(List<FlushMark> marks, HandOff<Callback> queue, BooleanSupplier drained) {
        for (FlushMark mark : marks) {
            queue.offerPastCapacity(mark);
            if (drained.getAsBoolean() && queue.remove(mark)) {
                mark.countDown();
            }
        }
    }
}
