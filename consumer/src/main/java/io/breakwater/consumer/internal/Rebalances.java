package io.breakwater.consumer.internal;

import java.util.Collection;
import org.apache.kafka.clients.consumer.ConsumerRebalanceListener;
import org.apache.kafka.common.TopicPartition;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The loop's rebalance listener. Kafka calls it inside {@code poll}, on the loop's thread, so it may use the
 * consumer. Revoked partitions commit what was handled of them, and nothing more; newly assigned partitions are
 * paused at once while the loop holds (a rebalance forgets Kafka's pause state); lost partitions are forgotten
 * without a commit (another member owns them already). The user's listener, if any, runs after, contained.
 */
final class Rebalances implements ConsumerRebalanceListener {

    private static final Logger LOG = LoggerFactory.getLogger("io.breakwater.consumer.GatedConsumer");

    private final ConsumerLoop<?, ?> loop;
    private final ConsumerRebalanceListener user;

    Rebalances(ConsumerLoop<?, ?> loop, ConsumerRebalanceListener user) {
        this.loop = loop;
        this.user = user;
    }

    @Override
    public void onPartitionsRevoked(Collection<TopicPartition> partitions) {
        loop.revoked(partitions);
        if (user != null) {
            contain("onPartitionsRevoked", () -> user.onPartitionsRevoked(partitions));
        }
    }

    @Override
    public void onPartitionsAssigned(Collection<TopicPartition> partitions) {
        loop.assigned(partitions);
        if (user != null) {
            contain("onPartitionsAssigned", () -> user.onPartitionsAssigned(partitions));
        }
    }

    @Override
    public void onPartitionsLost(Collection<TopicPartition> partitions) {
        loop.lost(partitions);
        if (user != null) {
            contain("onPartitionsLost", () -> user.onPartitionsLost(partitions));
        }
    }

    private void contain(String what, Runnable call) {
        try {
            call.run();
        } catch (VirtualMachineError e) {
            throw e;
        } catch (Throwable e) {
            LOG.warn("Consumer '{}': the rebalance listener {} threw in {}; carrying on", loop.name(), user, what, e);
        }
    }
}
