package io.breakwater.status.internal;

import io.breakwater.breaker.CircuitBreaker;
import io.breakwater.breaker.CircuitBreakerState;
import io.breakwater.status.ControlCommand;
import io.breakwater.status.StatusEvent;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The commands of the control topic, as read so far (the newest per key), and the breakers of one instance that follow
 * them. {@link #apply(Instant)} puts each breaker in the state of the command that holds for it (see
 * {@link ControlCommand}), once per command; when a command it applied ends (expired, replaced by one that has, or
 * withdrawn by a tombstone) and the breaker is still in the state it set, the breaker is reset to run on its own. A
 * breaker that was restored in the state of a command that has since expired is reset too. The command's reason
 * ({@code "<id>: force-open by <who> ..."}) is the reason of each transition, so the status topic says who did it.
 * Thread-safe.
 */
public final class CommandApplier {

    private static final Logger LOG = LoggerFactory.getLogger(CommandApplier.class);

    private final String instanceId;
    // The newest command per key: written by the reading thread, read by the applying one.
    private final Map<String, ControlCommand> book = new ConcurrentHashMap<>();
    // The breakers that follow the commands, with how many attachments each and what was applied; guarded by itself.
    // What was applied is read and written under `this`, by apply alone.
    private final Map<CircuitBreaker, Applied> attached = new IdentityHashMap<>();

    private static final class Applied {
        int count;
        ControlCommand command;
        boolean judged;
    }

    public CommandApplier(String instanceId) {
        this.instanceId = instanceId;
    }

    /** Takes {@code command} as the newest one of its key. */
    public void put(ControlCommand command) {
        book.put(command.key(), command);
    }

    /** Forgets the command of {@code key} (a tombstone). */
    public void remove(String key) {
        book.remove(key);
    }

    /** The commands read, by key. */
    public Map<String, ControlCommand> commands() {
        return Map.copyOf(book);
    }

    /** Makes {@code breaker} follow the commands from the next {@link #apply}; returns how to stop that. */
    public Runnable attach(CircuitBreaker breaker) {
        synchronized (attached) {
            attached.computeIfAbsent(breaker, b -> new Applied()).count++;
        }
        boolean[] detached = {false};
        return () -> {
            synchronized (attached) {
                Applied a = attached.get(breaker);
                if (!detached[0] && a != null && --a.count == 0) {
                    attached.remove(breaker);
                }
                detached[0] = true;
            }
        };
    }

    /** Puts every attached breaker in the state the commands say at {@code now}; one caller at a time. */
    public synchronized void apply(Instant now) {
        List<Map.Entry<CircuitBreaker, Applied>> breakers;
        synchronized (attached) {
            breakers = new ArrayList<>(attached.entrySet());
        }
        // A transition runs the breaker's listeners, here, under this object's lock (not the map's).
        for (Map.Entry<CircuitBreaker, Applied> e : breakers) {
            apply(e.getKey(), e.getValue(), now);
        }
    }

    private void apply(CircuitBreaker breaker, Applied applied, Instant now) {
        List<ControlCommand> candidates = Arrays.asList(book.get(breaker.name()),
                book.get(StatusEvent.key(instanceId, breaker.name())));
        Optional<ControlCommand> holding = ControlCommand.effective(candidates, instanceId, breaker.name(), now);
        if (holding.isPresent()) {
            ControlCommand command = holding.get();
            if (applied.command == null || !applied.command.id().equals(command.id())) {
                LOG.info("Breaker '{}' follows command {}", breaker.name(), command.reason());
                switch (command.action()) {
                    case FORCE_OPEN -> breaker.forceOpen(command.reason());
                    case DISABLE -> breaker.disable(command.reason());
                    case RESET -> breaker.reset(command.reason());
                }
                applied.command = command;
            }
        } else if (applied.command != null) {
            ControlCommand ended = applied.command;
            applied.command = null;
            endIfStillIn(breaker, ended, ended.isActiveAt(now) ? " was withdrawn" : " expired");
        } else if (!applied.judged) {
            // At the start: a breaker restored in the state of a command that has expired since.
            ControlCommand.latest(candidates, instanceId, breaker.name())
                    .ifPresent(last -> endIfStillIn(breaker, last, " expired"));
        }
        applied.judged = true;
    }

    private static void endIfStillIn(CircuitBreaker breaker, ControlCommand ended, String how) {
        CircuitBreakerState target = ended.action().target();
        if (target != CircuitBreakerState.CLOSED && breaker.state() == target) {
            LOG.info("Breaker '{}': command {}{}; it runs on its own again", breaker.name(), ended.id(), how);
            breaker.reset(ended.id() + how);
        }
    }
}
