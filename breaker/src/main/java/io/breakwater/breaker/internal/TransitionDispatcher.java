package io.breakwater.breaker.internal;

import io.breakwater.breaker.StateTransition;
import io.breakwater.breaker.TransitionListener;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.Arrays;
import java.util.PriorityQueue;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Delivers each transition of one breaker to its listeners exactly once and in sequence order, outside
 * any lock of the state machine. Two threads may win consecutive transitions and reach this class in
 * the other order; whoever drains delivers the events whose turn has come, in order.
 */
public final class TransitionDispatcher {

    private static final Logger LOG = LoggerFactory.getLogger(TransitionDispatcher.class);

    private static final TransitionListener[] NONE = new TransitionListener[0];
    private static final VarHandle WIP;

    static {
        try {
            WIP = MethodHandles.lookup().findVarHandle(TransitionDispatcher.class, "wip", int.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    // Replaced whole (copy on write) under `this`; read without a lock. Plain fields and arrays, not concurrent
    // collections: a bus may hold 100,000 breakers, most of which never move.
    private volatile TransitionListener[] listeners = NONE;
    // Events waiting for their turn, made by the first transition; guarded by `this` (transitions are rare).
    private PriorityQueue<StateTransition> pending;
    // Drain-loop ownership: the thread that moves it from 0 delivers; others leave work for it (WIP).
    private volatile int wip;
    // The sequence of the next event to deliver; written only by the draining thread.
    private long next;

    public TransitionDispatcher(long firstSequence) {
        this.next = firstSequence;
    }

    public synchronized void add(TransitionListener listener) {
        TransitionListener[] more = Arrays.copyOf(listeners, listeners.length + 1);
        more[more.length - 1] = listener;
        listeners = more;
    }

    public synchronized boolean remove(TransitionListener listener) {
        TransitionListener[] current = listeners;
        for (int i = 0; i < current.length; i++) {
            if (current[i].equals(listener)) {
                TransitionListener[] fewer = new TransitionListener[current.length - 1];
                System.arraycopy(current, 0, fewer, 0, i);
                System.arraycopy(current, i + 1, fewer, i, current.length - i - 1);
                listeners = fewer;
                return true;
            }
        }
        return false;
    }

    public void publish(StateTransition transition) {
        synchronized (this) {
            if (pending == null) {
                pending = new PriorityQueue<>((a, b) -> Long.compare(a.sequence(), b.sequence()));
            }
            pending.add(transition);
        }
        drain();
    }

    private void drain() {
        if ((int) WIP.getAndAdd(this, 1) != 0) {
            return;
        }
        VirtualMachineError fatal = null;
        int missed = 1;
        try {
            do {
                for (;;) {
                    StateTransition head;
                    synchronized (this) {
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
                missed = (int) WIP.getAndAdd(this, -missed) - missed;
            } while (missed != 0);
        } catch (VirtualMachineError e) {
            // Out of memory between deliveries: let go of the drain, so that the next publish drains what waits.
            wip = 0;
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
