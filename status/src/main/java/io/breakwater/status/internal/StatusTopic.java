package io.breakwater.status.internal;

import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.Config;
import org.apache.kafka.clients.admin.ConfigEntry;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.config.TopicConfig;
import org.apache.kafka.common.errors.AuthorizationException;
import org.apache.kafka.common.errors.TopicExistsException;
import org.apache.kafka.common.errors.UnknownTopicOrPartitionException;
import org.apache.kafka.common.errors.UnsupportedVersionException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Makes sure a topic of Breakwater's (the status topic, the control topic) exists, compacted, before anything is
 * sent to it: a send to a missing topic could let the broker create it with {@code cleanup.policy=delete}.
 */
public final class StatusTopic {

    /** What a check found. */
    public enum Found { READY_COMPACTED, READY_NOT_COMPACTED, READY_UNKNOWN, NOT_YET }

    private static final Logger LOG = LoggerFactory.getLogger(StatusTopic.class);

    private StatusTopic() {
    }

    /**
     * Describes {@code topic} and creates it, compacted, with one partition, if missing; never waits past
     * {@code budget}. {@code what} ("status topic", "control topic") names it in logs.
     */
    public static Found ensure(Map<String, Object> clientConfig, String clientId, String topic, Duration budget, String what) {
        long millis = Math.max(1, Math.min(budget.toMillis(), 6_000));
        Map<String, Object> adminConfig = new HashMap<>(clientConfig);
        adminConfig.put(AdminClientConfig.CLIENT_ID_CONFIG, clientId);
        adminConfig.put(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, (int) Math.max(1, millis));
        adminConfig.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, (int) Math.max(1, millis));
        Admin admin = null;
        try {
            admin = Admin.create(adminConfig);
            try {
                return describe(admin, topic, millis, what);
            } catch (ExecutionException e) {
                if (!(e.getCause() instanceof UnknownTopicOrPartitionException)) {
                    throw e;
                }
                return create(admin, topic, millis, what);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return Found.NOT_YET;
        } catch (Exception e) {
            Throwable cause = e.getCause() != null ? e.getCause() : e;
            if (cause instanceof AuthorizationException || cause instanceof UnsupportedVersionException) {
                // Without the rights to describe or create it, publish anyway: the topic may have been made by hand.
                LOG.warn("Cannot check or create the {} {} ({}); using it as it is", what, topic, cause.toString());
                return Found.READY_UNKNOWN;
            }
            LOG.debug("Could not check the {} {} yet: {}", what, topic, cause.toString());
            return Found.NOT_YET;
        } finally {
            if (admin != null) {
                admin.close(Duration.ZERO);
            }
        }
    }

    private static Found describe(Admin admin, String topic, long millis, String what) throws Exception {
        ConfigResource resource = new ConfigResource(ConfigResource.Type.TOPIC, topic);
        Config config = admin.describeConfigs(List.of(resource)).all().get(millis, TimeUnit.MILLISECONDS).get(resource);
        ConfigEntry policy = config.get(TopicConfig.CLEANUP_POLICY_CONFIG);
        boolean compacted = policy != null && policy.value().contains(TopicConfig.CLEANUP_POLICY_COMPACT);
        if (!compacted) {
            LOG.warn("{} {} exists with cleanup.policy={}, not compact: it will grow without bound and readers will replay "
                    + "every record; using it anyway", capitalized(what), topic, policy == null ? "?" : policy.value());
        }
        return compacted ? Found.READY_COMPACTED : Found.READY_NOT_COMPACTED;
    }

    private static String capitalized(String what) {
        return Character.toUpperCase(what.charAt(0)) + what.substring(1);
    }

    private static Found create(Admin admin, String topic, long millis, String what) throws Exception {
        NewTopic newTopic = new NewTopic(topic, Optional.of(1), Optional.empty())
                .configs(Map.of(TopicConfig.CLEANUP_POLICY_CONFIG, TopicConfig.CLEANUP_POLICY_COMPACT));
        try {
            admin.createTopics(List.of(newTopic)).all().get(millis, TimeUnit.MILLISECONDS);
            LOG.info("Created the compacted {} {}", what, topic);
            return Found.READY_COMPACTED;
        } catch (ExecutionException e) {
            if (e.getCause() instanceof TopicExistsException) {
                return Found.NOT_YET; // created meanwhile by another instance: describe it on the next round
            }
            throw e;
        }
    }
}
