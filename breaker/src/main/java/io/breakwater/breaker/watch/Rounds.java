package io.breakwater.breaker.watch;

import java.util.Arrays;
import java.util.concurrent.atomic.AtomicReference;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The {@link RestingCheck}s that are awake: a woken check is pushed by its waker onto a lock-free stack (one
 * compare-and-set, no allocation), and the one thread that ticks moves the stack into its own list, runs each check
 * of the list once per tick, and keeps those that stay awake. A check is in the stack or the list at most once: only
 * the thread that moved it from resting to awake pushes it, and a check leaves the list when it rests.
 */
final class Rounds {

    private static final Logger LOG = LoggerFactory.getLogger(Rounds.class);

    private final AtomicReference<RestingCheck> woken = new AtomicReference<>();
    // The ticking thread's alone.
    private RestingCheck[] awake = new RestingCheck[16];
    private int size;

    /** {@code check}, just moved from resting to awake, joins the rounds from the next tick. Any thread. */
    void push(RestingCheck check) {
        RestingCheck head;
        do {
            head = woken.get();
            check.next = head;
        } while (!woken.compareAndSet(head, check));
    }

    /**
     * Runs every awake check once and keeps those that stay awake. One whose tick throws is logged and stays; the
     * first {@code VirtualMachineError} is returned, after every other check ran. The ticking thread only.
     */
    VirtualMachineError tick() {
        RestingCheck c = woken.getAndSet(null);
        try {
            for (RestingCheck n; c != null; c = n) {
                n = c.next;
                if (size == awake.length) {
                    awake = Arrays.copyOf(awake, size * 2);
                }
                c.next = null;
                awake[size++] = c;
            }
        } catch (VirtualMachineError e) {
            // Out of memory for a larger list: what was not moved goes back onto the stack (pushing allocates nothing).
            for (RestingCheck n; c != null; c = n) {
                n = c.next;
                push(c);
            }
            return e;
        }
        VirtualMachineError fatal = null;
        int kept = 0;
        for (int i = 0; i < size; i++) {
            RestingCheck check = awake[i];
            boolean stays;
            try {
                stays = check.tickAndStay();
            } catch (VirtualMachineError e) {
                fatal = fatal == null ? e : fatal;
                stays = check.kept;
            } catch (Throwable e) {
                stays = check.kept;
                warn(check, e);
            }
            if (stays) {
                awake[kept++] = check;
            }
        }
        Arrays.fill(awake, kept, size, null);
        size = kept;
        return fatal;
    }

    private static void warn(RestingCheck check, Throwable e) {
        try {
            LOG.warn("Breakwater watchdog check {} failed; it runs again next tick", check, e);
        } catch (Throwable ignored) {
            // the logger's own failure: the ticks go on
        }
    }

    /** How many times {@code check} is in the rounds (stack and list); for tests, with no tick or push under way. */
    int count(RestingCheck check) {
        int n = 0;
        for (RestingCheck c = woken.get(); c != null; c = c.next) {
            n += c == check ? 1 : 0;
        }
        for (int i = 0; i < size; i++) {
            n += awake[i] == check ? 1 : 0;
        }
        return n;
    }
}
