package io.breakwater.status.internal;

import io.breakwater.breaker.Subscription;
import java.util.ArrayList;
import java.util.List;

/** What one handle (of a publisher, of a follower) attached, to close with it. Thread-safe. */
public final class Subscriptions {

    private final String owner;
    // Guarded by `this`.
    private final List<Subscription> open = new ArrayList<>();
    private boolean closed;

    /** {@code owner} names the handle in the error for an attach after close ("the status publisher for t"). */
    public Subscriptions(String owner) {
        this.owner = owner;
    }

    /** Throws if the handle is closed: nothing should be attached (or announced) then. */
    public synchronized void requireOpen() {
        if (closed) {
            throw new IllegalStateException(owner + " is closed");
        }
    }

    /** Keeps {@code subscription} to close with the handle; closes it and throws if the handle is closed already. */
    public Subscription track(Subscription subscription) {
        synchronized (this) {
            if (!closed) {
                open.add(subscription);
                return subscription;
            }
        }
        subscription.close();
        throw new IllegalStateException(owner + " is closed");
    }

    /** Closes every subscription kept; false when the handle was closed before. */
    public boolean close() {
        List<Subscription> mine;
        synchronized (this) {
            if (closed) {
                return false;
            }
            closed = true;
            mine = List.copyOf(open);
            open.clear();
        }
        mine.forEach(Subscription::close);
        return true;
    }
}
