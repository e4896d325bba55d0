package io.breakwater.status.internal;

import io.breakwater.breaker.CircuitBreaker;
import io.breakwater.breaker.StateTransition;
import io.breakwater.breaker.Subscription;
import io.breakwater.status.StatusEvent;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * The breakers published by one {@link PublisherCore}, each once however often it is attached: its state when it is
 * first attached ({@code started}), each transition, and its last state when its last attachment is closed
 * ({@code stopped}).
 */
public final class Attachments {

    private final PublisherCore core;
    // Breakers attached, with how many attachments each; guarded by `this`.
    private final Map<CircuitBreaker, Attachment> attached = new IdentityHashMap<>();
    // When each breaker detached and not attached since went out as stopped, by name; guarded by `this`. Its next
    // started event goes out strictly after it, so that a breaker attached again at once is not taken for a replay of
    // its stop (both of sequence 0).
    private final Map<String, Instant> stoppedAt = new HashMap<>();

    private static final class Attachment {
        Subscription listener;
        int count;
        // The last transition published and when the last event went out; guarded by the Attachments.
        StateTransition last;
        Instant lastAt = Instant.EPOCH;
        boolean announced;
    }

    public Attachments(PublisherCore core) {
        this.core = core;
    }

    /**
     * Publishes {@code breaker}'s transitions until the returned subscription is closed. When it is newly attached,
     * its current state goes out as a {@code started} event: at once, or after {@code announceAfter} (for a breaker
     * a registry is still restoring; a transition published meanwhile makes it unnecessary).
     */
    public Subscription attach(CircuitBreaker breaker, Duration announceAfter) {
        boolean announceNow;
        Attachment a;
        synchronized (this) {
            a = attached.get(breaker);
            announceNow = a == null && announceAfter.isZero();
            if (a == null) {
                Attachment created = new Attachment();
                created.listener = breaker.onTransition(t -> transition(breaker, created, t));
                attached.put(breaker, created);
                a = created;
            }
            a.count++;
        }
        Attachment attachment = a;
        if (announceNow) {
            announce(breaker, attachment);
        } else if (!announceAfter.isZero()) {
            core.later(announceAfter, () -> announce(breaker, attachment));
        }
        AtomicBoolean detached = new AtomicBoolean();
        return () -> {
            if (detached.compareAndSet(false, true)) {
                detach(breaker, attachment);
            }
        };
    }

    // Each event is queued under the lock that decided it, so that events of one breaker are queued in the order they
    // were decided: a stopped event cannot land behind the started event of the attachment after it, nor a started
    // event behind a transition. Queueing never blocks nor calls back.

    private synchronized void transition(CircuitBreaker breaker, Attachment a, StateTransition t) {
        if (a.count == 0) {
            return;   // delivered as its last attachment closed: its stopped event, out already, holds this state
        }
        if (!a.announced) {
            // The first event of this attachment. After a stop of the same name no later than it (a new breaker of that
            // name, its sequence begun anew), a reader would take it for old news: a started event goes first.
            Instant stopped = stoppedAt.remove(breaker.name());
            if (stopped != null && !t.at().isAfter(stopped)) {
                started(breaker, a, stopped);
            }
        }
        a.last = t;
        a.lastAt = later(a.lastAt, t.at());
        a.announced = true;
        core.publish(StatusEvent.of(core.instanceId(), t));
    }

    private synchronized void announce(CircuitBreaker breaker, Attachment a) {
        if (a.announced || a.count == 0) {
            return;
        }
        a.announced = true;
        started(breaker, a, stoppedAt.remove(breaker.name()));
    }

    // Queues the breaker's started event: now, and strictly after `stopped`, its last stop (null: none). Under `this`.
    private void started(CircuitBreaker breaker, Attachment a, Instant stopped) {
        a.lastAt = stopped == null ? core.now() : later(core.now(), stopped.plusMillis(1));
        core.publish(StatusEvent.of(core.instanceId(), StatusEvent.Kind.STARTED, breaker.snapshot(), a.lastAt, 0));
    }

    private synchronized void detach(CircuitBreaker breaker, Attachment a) {
        if (--a.count > 0) {
            return;
        }
        attached.remove(breaker, a);
        a.listener.close();
        // Strictly after the breaker's last event, so that readers take it as news whatever the breaker's clock.
        Instant at = later(core.now(), a.lastAt.plusMillis(1));
        if (stoppedAt.size() >= 1024) {   // only a stop in the last millisecond or so matters: forget older ones
            Instant old = core.now().minusSeconds(1);
            stoppedAt.values().removeIf(stop -> stop.isBefore(old));
        }
        stoppedAt.put(breaker.name(), at);
        core.publish(StatusEvent.of(core.instanceId(), StatusEvent.Kind.STOPPED, breaker.snapshot(), at,
                a.last == null ? 0 : a.last.sequence()));
    }

    private static Instant later(Instant a, Instant b) {
        return a.isAfter(b) ? a : b;
    }
}
