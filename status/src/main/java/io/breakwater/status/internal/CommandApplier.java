package io.breakwater.status.internal;

import io.breakwater.breaker.CircuitBreaker;
import io.breakwater.breaker.CircuitBreakerSnapshot;
import io.breakwater.breaker.CircuitBreakerState;
import io.breakwater.breaker.Clock;
import io.breakwater.breaker.StateTransition;
import io.breakwater.breaker.Subscription;
import io.breakwater.status.ControlCommand;
import io.breakwater.status.StatusEvent;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.BooleanSupplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The commands of the control topic, as read so far (the newest per key), and the breakers of one instance that follow
 * them. A command that holds for a breaker (see {@link ControlCommand}) is applied once per breaker name, and only to a
 * state older than the command: a breaker that moved on its own after a reset was issued (such as one that opened,
 * or was restored OPEN) is left alone; a force-open or a disable is followed by a breaker in a state it moved to by
 * itself (CLOSED, a new one too, OPEN or HALF_OPEN), whenever it moved, but not by one forced open or disabled by hand
 * since it was issued. When a command it applied ends (expired, replaced, or withdrawn by a tombstone) and the breaker is still in
 * the state it set, the breaker is reset to run on its own; so is a breaker restored in the state of a command that no
 * longer holds. The command's reason ({@code "<id>: force-open by <who> ..."}) is the reason of each transition, so
 * the status topic says who did it. Thread-safe.
 */
public final class CommandApplier {

    private static final Logger LOG = LoggerFactory.getLogger(CommandApplier.class);
    // The reason of a restore of a state a command set: "restored FORCED_OPEN (since <instant>: <id>: force-open by ...".
    // The reason of a restore of FORCED_OPEN or DISABLED, whatever set it: "restored FORCED_OPEN (since <instant>: ...".
    private static final Pattern RESTORED_STATE = Pattern.compile("restored (?:FORCED_OPEN|DISABLED) \\(since (\\S+): ");
    private static final Pattern RESTORED_COMMAND =
            Pattern.compile("restored (?:FORCED_OPEN|DISABLED) \\(since \\S+: ([A-Za-z0-9._-]{1,64}): (?:force-open|disable) by ");

    private final String instanceId;
    private final Clock clock;
    private final BooleanSupplier read;
    // The newest command per key, and the commands withdrawn by a tombstone: written by the reading thread.
    private final Map<String, ControlCommand> book = new ConcurrentHashMap<>();
    private final Map<String, ControlCommand> withdrawn = new ConcurrentHashMap<>();
    // The breakers that follow the commands, with their attachments; guarded by itself.
    private final Map<CircuitBreaker, Attachment> attached = new IdentityHashMap<>();
    // The command last applied (or found not to apply) per breaker name; guarded by `this`.
    private final Map<String, ControlCommand> applied = new HashMap<>();

    private static final class Attachment {
        int count;
        Subscription transitions;
        // Whether the breaker was judged in the state it started in (restored or not); guarded by the applier.
        boolean judged;
    }

    /** The applier of {@code instanceId}'s breakers; {@code read} says whether the topic has been read to its end. */
    public CommandApplier(String instanceId, Clock clock, BooleanSupplier read) {
        this.instanceId = instanceId;
        this.clock = clock;
        this.read = read;
    }

    /** Takes {@code command} as the newest one of its key. */
    public void put(ControlCommand command) {
        book.put(command.key(), command);
        withdrawn.remove(command.key());
    }

    /** Forgets the command of {@code key} (a tombstone). */
    public void remove(String key) {
        ControlCommand gone = book.remove(key);
        if (gone != null) {
            withdrawn.put(key, gone);
        }
    }

    /** The commands read, by key. */
    public Map<String, ControlCommand> commands() {
        return Map.copyOf(book);
    }

    /**
     * Makes {@code breaker} follow the commands; once the topic has been read, the command that holds for it is applied
     * before this returns. Returns how to stop that.
     */
    public Runnable attach(CircuitBreaker breaker) {
        boolean first;
        synchronized (attached) {
            Attachment a = attached.computeIfAbsent(breaker, b -> new Attachment());
            first = a.count++ == 0;
            if (first) {
                a.transitions = breaker.onTransition(t -> restored(breaker, t));
            }
        }
        if (first && read.getAsBoolean()) {
            synchronized (this) {
                judge(breaker, now(), false);
            }
        }
        boolean[] detached = {false};
        return () -> {
            Subscription transitions = null;
            synchronized (attached) {
                Attachment a = attached.get(breaker);
                if (!detached[0] && a != null && --a.count == 0) {
                    attached.remove(breaker);
                    transitions = a.transitions;
                }
                detached[0] = true;
            }
            if (transitions != null) {
                transitions.close();
            }
        };
    }

    /** Puts every attached breaker in the state the commands say at {@code now}; one caller at a time. */
    public synchronized void apply(Instant now) {
        List<Map.Entry<CircuitBreaker, Attachment>> breakers;
        synchronized (attached) {
            breakers = new ArrayList<>(attached.entrySet());
        }
        Map<String, ControlCommand> before = new HashMap<>(applied);
        // A transition runs the breaker's listeners, here, under this object's lock (not the map's).
        for (Map.Entry<CircuitBreaker, Attachment> e : breakers) {
            CircuitBreaker breaker = e.getKey();
            if (!breaker.restoreSettled()) {
                continue;   // a restore within its wait comes without a transition: judged once it is in
            }
            if (!judged(e.getValue())) {
                judge(breaker, now, true);
                continue;
            }
            ControlCommand last = before.get(breaker.name());
            Optional<ControlCommand> holding = holding(breaker.name(), now);
            if (holding.isPresent() && (last == null || !last.id().equals(holding.get().id()))) {
                follow(breaker, holding.get());
            } else if (holding.isEmpty() && last != null) {
                applied.remove(breaker.name());
                endIfStillIn(breaker, last, last.isActiveAt(now) ? " was withdrawn" : " expired");
            }
        }
    }

    private boolean judged(Attachment a) {
        synchronized (attached) {
            boolean was = a.judged;
            a.judged = true;
            return was;
        }
    }

    /**
     * Puts a breaker that starts following in the state of the command that holds; at the first tick after it was
     * attached ({@code started}: restored by now), also ends the state of a command that no longer holds.
     */
    private void judge(CircuitBreaker breaker, Instant now, boolean started) {
        Optional<ControlCommand> holding = holding(breaker.name(), now);
        boolean moved = holding.isPresent() && follow(breaker, holding.get());
        if (started && holding.isEmpty()) {
            ended(breaker.name(), now).ifPresent(last -> endIfStillIn(breaker, last,
                    last.isActiveAt(now) ? " was withdrawn" : " expired"));
        }
        if (!started && moved) {
            synchronized (attached) {
                Attachment a = attached.get(breaker);
                if (a != null) {
                    a.judged = true; // in the command's state already: a later restore cannot apply
                }
            }
        }
    }

    /**
     * Applies {@code command} to {@code breaker} if its state is older than the command, or was set by the command it
     * replaces, or is one the breaker moved to by itself (CLOSED, OPEN, HALF_OPEN) for a force-open or a disable; true
     * if it moved.
     */
    private boolean follow(CircuitBreaker breaker, ControlCommand command) {
        ControlCommand replaced = applied.put(breaker.name(), command);
        CircuitBreakerSnapshot now = breaker.snapshot();
        boolean older = command.issuedAt().isAfter(now.since());
        boolean ours = replaced != null && now.state() == replaced.action().target();
        // A force-open or a disable holds over the breaker's own moves (a flapping breaker that opened again a moment
        // after the command was issued): only a state set by hand (forced open, disabled) since then is left alone.
        boolean ownMove = now.state() != CircuitBreakerState.FORCED_OPEN && now.state() != CircuitBreakerState.DISABLED
                && command.action() != ControlCommand.Action.RESET;
        if (now.state() == command.action().target() || !(older || ours || ownMove)) {
            return false;
        }
        LOG.info("Breaker '{}' follows command {}", breaker.name(), command.reason());
        switch (command.action()) {
            case FORCE_OPEN -> breaker.forceOpen(command.reason());
            case DISABLE -> breaker.disable(command.reason());
            case RESET -> breaker.reset(command.reason());
        }
        return true;
    }

    /**
     * A restore that comes late, into the state of a command that no longer holds, is undone. The command is the one
     * the restored reason names; else (the newest status event of a breaker that stopped cleanly says "stopped", not
     * which command set its state) the command that holds now is followed (a reset that replaced it applies to the
     * older state), or, with none holding, the state is taken for the last command's when that set it and the state
     * began before it expired.
     */
    private void restored(CircuitBreaker breaker, StateTransition t) {
        Matcher m = RESTORED_COMMAND.matcher(t.reason());
        Matcher state = RESTORED_STATE.matcher(t.reason());
        if (!state.lookingAt() || !read.getAsBoolean()) {
            return; // not a command's state; or judged at the first tick once read
        }
        synchronized (this) {
            Instant now = now();
            Optional<ControlCommand> holding = holding(breaker.name(), now);
            String id;
            if (m.lookingAt()) {
                id = m.group(1);
            } else if (holding.isPresent()) {
                follow(breaker, holding.get());   // a reset that replaced the command, say: it applies to an older state
                return;
            } else {
                Optional<ControlCommand> setter = ended(breaker.name(), now)
                        .filter(c -> c.action().target() == t.to() && setWhileItHeld(c, state.group(1)));
                if (setter.isEmpty()) {
                    return;   // set by the application itself (a forceOpen of its own), or after the command ended
                }
                id = setter.get().id();
            }
            if (holding.isPresent() && holding.get().id().equals(id)) {
                return;
            }
            LOG.info("Breaker '{}' was restored in the state of command {}, which no longer holds; it runs on its own "
                    + "again", breaker.name(), id);
            breaker.reset(id + " no longer holds");
            holding.ifPresent(command -> follow(breaker, command));
        }
    }

    // Whether a state that began at {@code since} (text) may be the one {@code command} set: not after it expired. (It
    // may have begun before the command was issued: a command that extended an earlier one of the same action moved
    // nothing.)
    private static boolean setWhileItHeld(ControlCommand command, String since) {
        Instant began;
        try {
            began = Instant.parse(since);
        } catch (java.time.format.DateTimeParseException e) {
            return false;
        }
        return command.expiresAt() == null || began.isBefore(command.expiresAt());
    }

    private List<ControlCommand> candidates(Map<String, ControlCommand> commands, String breaker) {
        List<ControlCommand> found = new ArrayList<>(2);
        found.add(commands.get(breaker));
        found.add(commands.get(StatusEvent.key(instanceId, breaker)));
        return found;
    }

    private Optional<ControlCommand> holding(String breaker, Instant now) {
        return ControlCommand.effective(candidates(book, breaker), instanceId, breaker, now);
    }

    /** The command issued last for {@code breaker}, expired or withdrawn. */
    private Optional<ControlCommand> ended(String breaker, Instant now) {
        List<ControlCommand> all = candidates(book, breaker);
        all.addAll(candidates(withdrawn, breaker));
        return ControlCommand.latest(all, instanceId, breaker);
    }

    private Instant now() {
        return Instant.ofEpochMilli(clock.currentTimeMillis());
    }

    private static void endIfStillIn(CircuitBreaker breaker, ControlCommand ended, String how) {
        CircuitBreakerState target = ended.action().target();
        if (target != CircuitBreakerState.CLOSED && breaker.state() == target) {
            LOG.info("Breaker '{}': command {}{}; it runs on its own again", breaker.name(), ended.id(), how);
            breaker.reset(ended.id() + how);
        }
    }
}
