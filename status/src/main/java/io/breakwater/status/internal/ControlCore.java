package io.breakwater.status.internal;

import io.breakwater.breaker.Clock;
import io.breakwater.breaker.Subscription;
import io.breakwater.breaker.watch.Watchdog;
import io.breakwater.status.ControlCommand;
import io.breakwater.status.ControlCommandCodec;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The one reader of the control topic behind every {@code ControlFollower} of one (cluster settings, topic, instance)
 * in a JVM: a {@link TopicFollower} feeds the commands to a {@link CommandApplier}, and the watchdog's clock thread
 * applies them every tick once the topic has been read to its end (so that a breaker never follows a command that a
 * newer one, not read yet, has replaced). Expiries are applied on time even while the cluster is away.
 */
public final class ControlCore {

    private static final Logger LOG = LoggerFactory.getLogger(ControlCore.class);

    private final String topic;
    private final Clock clock;
    private final CommandApplier applier;
    private final TopicFollower follower;
    private final Subscription ticks;
    private final AtomicLong malformed = new AtomicLong();

    public ControlCore(Map<String, Object> clientConfig, String topic, String instanceId, Clock clock) {
        this.topic = topic;
        this.clock = clock;
        this.applier = new CommandApplier(instanceId, clock, this::read);
        this.follower = new TopicFollower("Control follower", "breakwater-control-" + instanceId, clientConfig, topic,
                this::accept, Duration.ofSeconds(1), true);
        this.ticks = Watchdog.register(this::tick);
        // A control topic that is not compacted is worth a warning (from the check), once.
        follower.onTopicFound(() -> StatusTopic.describe(clientConfig, "breakwater-control-check-" + instanceId, topic,
                Duration.ofSeconds(5), "control topic")).start();
    }

    // Package-private for tests: the follower thread calls it for every record.
    void accept(ConsumerRecord<String, byte[]> record) {
        if (record.value() == null) {
            if (record.key() != null) {
                applier.remove(record.key());
            }
            return;
        }
        try {
            ControlCommand command = ControlCommandCodec.decode(record.value());
            if (!command.key().equals(record.key())) {
                throw new IllegalArgumentException("the record's key is '" + record.key() + "', but the command's is '"
                        + command.key() + "'");
            }
            Instant now = Instant.ofEpochMilli(clock.currentTimeMillis());
            if (follower.caughtUp() && !command.isActiveAt(now)) {
                LOG.warn("Command {} on {} had expired when it was read ({}); it changes nothing", command.reason(),
                        record.topic(), now);
            }
            applier.put(command);
        } catch (IllegalArgumentException e) {
            LOG.warn("Skipped record {}-{}@{} of the control topic ({} so far): {}", record.topic(), record.partition(),
                    record.offset(), malformed.incrementAndGet(), e.getMessage());
        }
    }

    private boolean read() {
        return follower.caughtUp();
    }

    /** Applies the commands, once the topic has been read to its end; the watchdog calls it every tick. */
    public void tick() {
        if (follower.caughtUp()) {
            applier.apply(Instant.ofEpochMilli(clock.currentTimeMillis()));
        }
    }

    public CommandApplier applier() {
        return applier;
    }

    public TopicFollower follower() {
        return follower;
    }

    public String topic() {
        return topic;
    }

    /** Records of the control topic that were not commands. */
    public long malformedRecords() {
        return malformed.get();
    }

    /** Stops reading and applying; breakers stay in the state they are in. */
    public void close() {
        ticks.close();
        follower.close();
    }

    /** All the commands read, by key. */
    public Map<String, ControlCommand> commands() {
        return applier.commands();
    }
}
