package io.breakwater.status;

import io.breakwater.breaker.CircuitBreaker;
import io.breakwater.breaker.CircuitBreakerRegistry;
import io.breakwater.breaker.Clock;
import io.breakwater.breaker.Subscription;
import io.breakwater.status.internal.ControlCore;
import io.breakwater.status.internal.SharedByKey;
import io.breakwater.status.internal.Subscriptions;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Makes the breakers of one instance follow operators' commands on the control topic (written by
 * {@code breakwater force-open|disable|reset}, or {@link ControlTopic#send}): it reads the topic from its start on a
 * thread of its own, and puts each attached breaker in the state of the command that holds for it (see
 * {@link ControlCommand} for which one), at once when the command is read, and back to running on its own when the
 * command expires. Each transition it causes has the command's reason ({@code "<id>: force-open by <who> ..."}), so a
 * breaker attached to a {@link StatusPublisher} too reports the applied state on the status topic.
 *
 * <p>Nothing is applied until the topic has been read to its end; while the cluster is away the breakers run on their
 * own (or keep the command last applied, until it expires). Starting never fails for an unreachable cluster or a
 * missing topic: like a {@link StatusReader}, the follower keeps trying (a missing topic every second). Only operators
 * should be able to write the topic (see the README's ACLs); the follower needs to read it.
 *
 * <p><b>One per instance.</b> Followers with the same cluster settings, topic and instance id share one consumer and
 * thread in a JVM; the last handle closed stops them. Closing leaves breakers in the state they are in. Thread-safe.
 */
public final class ControlFollower implements AutoCloseable {

    // The client settings hold passwords: its text names their keys alone.
    record Key(Map<String, Object> clientConfig, String topic, String instanceId) {
        @Override
        public String toString() {
            return "Key[topic=" + topic + ", instanceId=" + instanceId + ", clientConfig keys="
                    + new java.util.TreeSet<>(clientConfig.keySet()) + "]";
        }
    }

    // Every live follower core by key, with its handles.
    private static final SharedByKey<Key, ControlCore> SHARED = new SharedByKey<>();

    private final Key key;
    private final ControlCore core;
    // What this handle attached, to detach on close.
    private final Subscriptions subscriptions;

    private ControlFollower(Key key, ControlCore core) {
        this.key = key;
        this.subscriptions = new Subscriptions("the control follower for " + key.topic());
        this.core = core;
    }

    /**
     * A follower of {@code topic} for {@code instanceId}, with the client settings of {@code clientConfig}
     * (connection and security: what {@link StatusClients} keeps).
     * Shares the consumer of any open follower with the same settings.
     *
     * @throws org.apache.kafka.common.config.ConfigException when no usable bootstrap server is configured
     * @throws IllegalArgumentException when the topic or the instance id is blank, or the topic name is not Kafka's
     */
    public static ControlFollower create(Map<String, ?> clientConfig, String topic, String instanceId) {
        Map<String, Object> client = StatusClients.of(Objects.requireNonNull(clientConfig, "clientConfig"),
                "the Breakwater control follower");
        Checks.requireTopic(topic);
        Checks.requireInstanceId(instanceId);
        Key key = new Key(Map.copyOf(client), topic, instanceId);
        ControlCore core = SHARED.acquire(key, () -> new ControlCore(key.clientConfig(), topic, instanceId, Clock.system()),
                ControlCore::close);
        return new ControlFollower(key, core);
    }

    /**
     * Makes {@code breaker} follow the commands until the subscription or this follower is closed; once the topic has
     * been read, the command that holds for it is applied before this returns.
     */
    public Subscription attach(CircuitBreaker breaker) {
        Objects.requireNonNull(breaker, "breaker");
        subscriptions.requireOpen();
        Runnable detach = core.applier().attach(breaker);
        AtomicBoolean done = new AtomicBoolean();
        return subscriptions.track(() -> {
            if (done.compareAndSet(false, true)) {
                detach.run();
            }
        });
    }

    /**
     * Makes every breaker of {@code registry}, existing and future, follow the commands; once the topic has been read,
     * a new breaker is in the state of the command that holds for it before the registry hands it out.
     */
    public Subscription attach(CircuitBreakerRegistry registry) {
        Objects.requireNonNull(registry, "registry");
        subscriptions.requireOpen();
        List<Runnable> each = new CopyOnWriteArrayList<>();
        Subscription added = registry.forEachBreaker(b -> each.add(core.applier().attach(b)));
        return subscriptions.track(() -> {
            added.close();
            each.forEach(Runnable::run);
        });
    }

    /**
     * Waits until the follower has read what the topic held when it first reached it, and then applies the commands
     * standing to the attached breakers before it returns; false if the topic was not read within {@code timeout}.
     * A control topic that the cluster says does not exist counts as read, with no commands (it is read from its
     * start if it is created later).
     *
     * @throws IllegalArgumentException when {@code timeout} is negative
     */
    public boolean awaitCaughtUp(Duration timeout) throws InterruptedException {
        if (Objects.requireNonNull(timeout, "timeout").isNegative()) {
            throw new IllegalArgumentException("timeout must not be negative, but was " + timeout);
        }
        boolean read = core.follower().awaitCaughtUp(timeout);
        core.tick();
        return read;
    }

    /** Where the follower stands, in a reader's terms. */
    public StatusReader.State state() {
        return core.follower().state();
    }

    /** Why the follower is not reading, while it retries. */
    public Optional<String> lastError() {
        return Optional.ofNullable(core.follower().lastError());
    }

    public String topic() {
        return key.topic();
    }

    public String instanceId() {
        return key.instanceId();
    }

    /** The newest command of every key read so far, expired ones included. */
    public Map<String, ControlCommand> commands() {
        return core.commands();
    }

    /** Records of the control topic that were not commands (skipped, logged). */
    public long malformedRecords() {
        return core.malformedRecords();
    }

    /** Detaches what this handle attached; the last handle stops reading. Breakers keep their state. Idempotent. */
    @Override
    public void close() {
        if (subscriptions.close() && SHARED.release(key, core)) {
            core.close();
        }
    }

    @Override
    public String toString() {
        return "ControlFollower[" + key.topic() + ", " + key.instanceId() + ", " + state() + "]";
    }
}
