package io.breakwater.breaker.internal;

import io.breakwater.breaker.StateTransition;
import io.breakwater.breaker.TransitionListener;
import java.util.List;
import java.util.PriorityQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Delivers each transition of one breaker to its listeners exactly once and in sequence order, outside
 * any lock of the state machine. Two threads may win consecutive transitions and reach this class in
 * the other order; whoever drains delivers the events whose turn has come, in order.
 */
public final class TransitionDispatcher {

    private static final Logger LOG = LoggerFactory.getLogger(TransitionDispatcher.class);

    private final List<TransitionListener> listeners = new CopyOnWriteArrayList<>();
    // Events waiting for their turn; guarded by its own monitor (transitions are rare).
    private final PriorityQueue<StateTransition> pending =
            new PriorityQueue<>((a, b) -> Long.compare(a.sequence(), b.sequence()));
    // Drain-loop ownership: the thread that moves it from 0 delivers; others leave work for it.
    private final AtomicInteger wip = new AtomicInteger();
    // The sequence of the next event to deliver; written only by the draining thread.
    private long next;

    public TransitionDispatcher(long firstSequence) {
        this.next = firstSequence;
    }

    public void add(TransitionListener listener) {
        listeners.add(listener);
    }

    public boolean remove(TransitionListener listener) {
        return listeners.remove(listener);
    }

    public void publish(StateTransition transition) {
        synchronized (pending) {
            pending.add(transition);
        }
        drain();
    }

    private void drain() {
        if (wip.getAndIncrement() != 0) {
            return;
        }
        VirtualMachineError fatal = null;
        int missed = 1;
        try {
            do {
                for (;;) {
                    StateTransition head;
                    synchronized (pending) {
                        head = pending.peek();
                        if (head == null || head.sequence() != next) {
                            break;
                        }
                        pending.poll();
                    }
                    next++;
                    VirtualMachineError e = deliver(head);
                    fatal = fatal == null ? e : fatal;
                }
                missed = wip.addAndGet(-missed);
            } while (missed != 0);
        } catch (VirtualMachineError e) {
            // Out of memory between deliveries: let go of the drain, so that the next publish drains what waits.
            wip.set(0);
            throw e;
        }
        if (fatal != null) {
            // Only now, with every event delivered and the drain released, may it propagate.
            throw fatal;
        }
    }

    /**
     * Hands {@code transition} to every listener. Whatever a listener throws is contained and logged, so it
     * can neither stop the others nor wedge the breaker; a {@code VirtualMachineError} is returned, to be
     * rethrown once the queue is consistent again.
     */
    private VirtualMachineError deliver(StateTransition transition) {
        VirtualMachineError fatal = null;
        for (TransitionListener listener : listeners) {
            try {
                listener.onTransition(transition);
            } catch (VirtualMachineError e) {
                fatal = fatal == null ? e : fatal;
            } catch (Throwable e) {
                try {
                    LOG.warn("Transition listener {} failed on {}; the breaker carries on", listener, transition, e);
                } catch (VirtualMachineError logFailure) {
                    fatal = fatal == null ? logFailure : fatal;
                } catch (Throwable logFailure) {
                    // A broken logger must not stop the other listeners either.
                }
            }
        }
        return fatal;
    }
}
