package io.breakwater.breaker.watch;

import java.util.Arrays;
import java.util.concurrent.atomic.AtomicReference;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The {@link RestingCheck}s that are awake: a woken check is pushed by its waker onto a lock-free stack (one
 * compare-and-set, no allocation), and the one thread that ticks takes the stack, runs each check of its own list and
 * of the stack once per tick, and keeps in its list those that stay awake. A check is in the stack or the list at most
 * once: only the thread that moved it from resting to awake pushes it, and a check leaves the list when it rests.
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
     *
     * <p>The stack is taken first; the checks in the list run, then each check of the stack, as it is taken off it,
     * while its object is still in the processor's cache, and it joins the list if it stays (among 100,000 woken checks,
     * moving them all into the list first and running them after would miss each check's object twice).
     */
    VirtualMachineError tick() {
        // Taken first: a check of the list that rests in its tick and is woken again meanwhile runs next tick, not twice.
        RestingCheck c = woken.getAndSet(null);
        VirtualMachineError fatal = null;
        int kept = 0;
        for (int i = 0; i < size; i++) {
            RestingCheck check = awake[i];
            VirtualMachineError e = run(check);
            fatal = fatal == null ? e : fatal;
            if (check.kept) {
                awake[kept++] = check;
            }
        }
        Arrays.fill(awake, kept, size, null);
        size = kept;
        for (RestingCheck n; c != null; c = n) {
            n = c.next;   // before it runs: once it rests, a waker may push it again, onto the new stack
            c.next = null;
            VirtualMachineError e = run(c);
            fatal = fatal == null ? e : fatal;
            if (c.kept) {
                try {
                    keep(c);
                } catch (VirtualMachineError outOfMemory) {
                    // No room for a larger list: it and the woken checks not yet run go back onto the stack (pushing
                    // allocates nothing), for the next tick.
                    push(c);
                    while (n != null) {
                        RestingCheck after = n.next;
                        push(n);
                        n = after;
                    }
                    return fatal == null ? outOfMemory : fatal;
                }
            }
        }
        return fatal;
    }

    /** One tick of {@code check}; after it, {@link RestingCheck#kept} says whether it stays. A fatal error is returned. */
    private static VirtualMachineError run(RestingCheck check) {
        try {
            check.kept = check.tickAndStay();
        } catch (VirtualMachineError e) {
            return e;
        } catch (Throwable e) {
            warn(check, e);
        }
        return null;
    }

    /** Adds {@code check} to the list, growing it if need be. */
    private void keep(RestingCheck check) {
        if (size == awake.length) {
            awake = Arrays.copyOf(awake, size * 2);
        }
        awake[size++] = check;
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
