package io.breakwater.status.internal;

import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
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

    /**
     * What a check found: the topic is there (compacted, not compacted, or its policy could not be read), it is
     * missing and may not be created ({@code MISSING}), whether it exists cannot be told ({@code UNKNOWN}: no right
     * to describe it), or the cluster did not answer ({@code NOT_YET}).
     */
    public enum Found { READY_COMPACTED, READY_NOT_COMPACTED, READY_UNKNOWN, MISSING, UNKNOWN, NOT_YET }

    private static final Logger LOG = LoggerFactory.getLogger(StatusTopic.class);

    private StatusTopic() {
    }

    /**
     * Describes {@code topic} and creates it, compacted, with one partition, if missing; never waits past
     * {@code budget}. {@code what} ("status topic", "control topic") names it in logs.
     */
    public static Found ensure(Map<String, Object> clientConfig, String clientId, String topic, Duration budget, String what) {
        return check(clientConfig, clientId, topic, budget, what, true, cause -> { });
    }

    /** {@link #ensure(Map, String, String, Duration, String)}, telling {@code notYet} why, when it finds {@code NOT_YET}. */
    public static Found ensure(Map<String, Object> clientConfig, String clientId, String topic, Duration budget, String what,
                               Consumer<Throwable> notYet) {
        return check(clientConfig, clientId, topic, budget, what, true, notYet);
    }

    /** Describes {@code topic} (logging a warning when it is not compacted), creating nothing. */
    public static Found describe(Map<String, Object> clientConfig, String clientId, String topic, Duration budget,
                                 String what) {
        return check(clientConfig, clientId, topic, budget, what, false, cause -> { });
    }

    private static Found check(Map<String, Object> clientConfig, String clientId, String topic, Duration budget,
                               String what, boolean create, Consumer<Throwable> notYet) {
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
                if (e.getCause() instanceof AuthorizationException) {
                    return exists(admin, topic, millis, what, create); // no DescribeConfigs right: is it there at all?
                }
                if (!(e.getCause() instanceof UnknownTopicOrPartitionException)) {
                    throw e;
                }
                return create ? create(admin, topic, millis, what) : Found.MISSING;
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
            notYet.accept(cause);
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
        if (compacted && policy.value().contains(TopicConfig.CLEANUP_POLICY_DELETE)) {
            LOG.warn("{} {} has cleanup.policy={}: records older than its retention are deleted too, so breakers that do "
                    + "not move for that long drop out of it, and so do commands meant to hold for good", capitalized(what),
                    topic, policy.value());
        }
        if (!compacted) {
            LOG.warn("{} {} exists with cleanup.policy={}, not compact: it will grow without bound and readers will replay "
                    + "every record; using it anyway", capitalized(what), topic, policy == null ? "?" : policy.value());
        }
        return compacted ? Found.READY_COMPACTED : Found.READY_NOT_COMPACTED;
    }

    /** Without the right to read its configs: whether the topic exists (then its policy is unknown), else creates it. */
    private static Found exists(Admin admin, String topic, long millis, String what, boolean create) throws Exception {
        try {
            admin.describeTopics(List.of(topic)).allTopicNames().get(millis, TimeUnit.MILLISECONDS);
            LOG.warn("Cannot read the cleanup.policy of the {} {} (DescribeConfigs is not allowed); using it as it is",
                    what, topic);
            return Found.READY_UNKNOWN;
        } catch (ExecutionException e) {
            if (e.getCause() instanceof UnknownTopicOrPartitionException) {
                return create ? create(admin, topic, millis, what) : Found.MISSING;
            }
            if (e.getCause() instanceof AuthorizationException) {
                LOG.warn("Cannot tell whether the {} {} exists (neither DescribeConfigs nor Describe is allowed)", what, topic);
                return Found.UNKNOWN;
            }
            throw e;
        }
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
                return describe(admin, topic, millis, what); // created meanwhile by another instance
            }
            if (e.getCause() instanceof AuthorizationException) {
                LOG.warn("The {} {} does not exist and may not be created here ({})", what, topic, e.getCause().toString());
                return Found.MISSING;
            }
            if (e.getCause() instanceof org.apache.kafka.common.errors.PolicyViolationException
                    || e.getCause() instanceof org.apache.kafka.common.errors.InvalidConfigurationException) {
                // The cluster answered and refused, for good: a create policy, a setting it does not allow. Trying again
                // would not help, and "no answer" would be the wrong word for it. (A replication factor above the
                // brokers registered is not final: brokers still starting, or restarting one by one.)
                LOG.warn("The {} {} does not exist and the cluster refused to create it ({}); create it by hand, "
                        + "compacted (cleanup.policy=compact)", what, topic, e.getCause().toString());
                return Found.MISSING;
            }
            throw e;
        }
    }
}
