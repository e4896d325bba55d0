package io.breakwater.interceptors;

import io.breakwater.breaker.CircuitBreakerConfig;
import java.lang.management.ManagementFactory;
import java.net.InetAddress;
import java.time.Duration;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.apache.kafka.common.config.AbstractConfig;
import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.common.config.ConfigDef.Importance;
import org.apache.kafka.common.config.ConfigDef.Range;
import org.apache.kafka.common.config.ConfigDef.Type;
import org.apache.kafka.common.config.ConfigException;

/**
 * The {@code breakwater.*} keys of a producer's configuration, read by
 * {@link CircuitBreakerProducerInterceptor} and {@link CircuitBreakerProducer#wrap(org.apache.kafka.clients.producer.Producer, Map)}.
 * Values are checked by {@link #CONFIG_DEF}; a bad value or an unknown {@code breakwater.} key fails with a
 * {@link ConfigException} that names the key. The reference table in {@code docs/configuration.md} is
 * generated from {@link #CONFIG_DEF}.
 */
public final class BreakwaterConfig extends AbstractConfig {

    /** Every key of this config starts with this. */
    public static final String PREFIX = "breakwater.";

    public static final String BREAKER_NAME_CONFIG = PREFIX + "breaker.name";
    public static final String BREAKER_NAME_DOC = "Name of the circuit breaker. Producers, interceptors and wrappers that "
            + "use the same name in one JVM share one breaker.";
    public static final String BREAKER_NAME_DEFAULT = "kafka-producer";

    public static final String FAILURE_THRESHOLD_CONFIG = PREFIX + "failure.threshold";
    public static final String FAILURE_THRESHOLD_DOC = "Consecutive failed sends that open the breaker.";

    public static final String SUCCESS_THRESHOLD_CONFIG = PREFIX + "success.threshold";
    public static final String SUCCESS_THRESHOLD_DOC = "Successful trial sends in HALF_OPEN that close the breaker; at most "
            + "breakwater.half.open.max.calls.";

    public static final String RESET_TIMEOUT_MS_CONFIG = PREFIX + "reset.timeout.ms";
    public static final String RESET_TIMEOUT_MS_DOC = "How long the breaker stays OPEN before it admits trial sends.";

    public static final String HALF_OPEN_MAX_CALLS_CONFIG = PREFIX + "half.open.max.calls";
    public static final String HALF_OPEN_MAX_CALLS_DOC = "Trial sends admitted in HALF_OPEN.";

    public static final String HALF_OPEN_MAX_WAIT_MS_CONFIG = PREFIX + "half.open.max.wait.ms";
    public static final String HALF_OPEN_MAX_WAIT_MS_DOC = "How long trial sends may stay unanswered before they count as "
            + "failures; 0 means the reset timeout.";

    public static final String WINDOW_SIZE_CONFIG = PREFIX + "window.size";
    public static final String WINDOW_SIZE_DOC = "Size of a sliding window of the last N sends, for the rate thresholds; 0: "
            + "no count window.";

    public static final String WINDOW_DURATION_MS_CONFIG = PREFIX + "window.duration.ms";
    public static final String WINDOW_DURATION_MS_DOC = "Length of a sliding time window, whole seconds, for the rate "
            + "thresholds; 0: no time window. Excludes breakwater.window.size.";

    public static final String MINIMUM_CALLS_CONFIG = PREFIX + "minimum.calls";
    public static final String MINIMUM_CALLS_DOC = "Sends the window must hold before its rates can open the breaker; 0: "
            + "10, or the window size if smaller.";

    public static final String FAILURE_RATE_THRESHOLD_CONFIG = PREFIX + "failure.rate.threshold";
    public static final String FAILURE_RATE_THRESHOLD_DOC = "Failure rate in the window, in (0, 1], that opens the breaker; "
            + "0: off. Needs a window.";

    public static final String SLOW_CALL_RATE_THRESHOLD_CONFIG = PREFIX + "slow.call.rate.threshold";
    public static final String SLOW_CALL_RATE_THRESHOLD_DOC = "Rate of slow sends in the window, in (0, 1], that opens the "
            + "breaker; 0: off. Needs a window and breakwater.slow.call.duration.ms.";

    public static final String SLOW_CALL_DURATION_MS_CONFIG = PREFIX + "slow.call.duration.ms";
    public static final String SLOW_CALL_DURATION_MS_DOC = "A send whose acknowledgement takes at least this long is slow; "
            + "0: off.";

    public static final String SEND_BLOCK_THRESHOLD_MS_CONFIG = PREFIX + "send.block.threshold.ms";
    public static final String SEND_BLOCK_THRESHOLD_MS_DOC = "A send() call that blocks longer than this (waiting for "
            + "metadata or buffer space) counts as a failure as soon as the watchdog sees it, without waiting for "
            + "max.block.ms. Applies to CircuitBreakerProducer.";

    public static final String IN_FLIGHT_THRESHOLD_MS_CONFIG = PREFIX + "in.flight.threshold.ms";
    public static final String IN_FLIGHT_THRESHOLD_MS_DOC = "A record left without an acknowledgement longer than this "
            + "counts as a failure as soon as the watchdog sees it, without waiting for delivery.timeout.ms. For the "
            + "interceptor the time counts from onSend, so it includes any time send() blocked.";

    public static final String STATUS_ENABLED_CONFIG = PREFIX + "status.enabled";
    public static final String STATUS_ENABLED_DOC = "Whether breaker transitions are published as JSON to the status topic.";

    public static final String STATUS_TOPIC_CONFIG = PREFIX + "status.topic";
    public static final String STATUS_TOPIC_DOC = "The compacted topic that receives one JSON event per transition, keyed "
            + "{instance}/{breaker}. Created, compacted, if missing.";
    public static final String STATUS_TOPIC_DEFAULT = "breakwater-status";

    public static final String STATUS_BOOTSTRAP_SERVERS_CONFIG = PREFIX + "status.bootstrap.servers";
    public static final String STATUS_BOOTSTRAP_SERVERS_DOC = "Bootstrap servers of a separate cluster (an operations "
            + "cluster) for the status topic; empty: the producer's own bootstrap.servers. The security settings "
            + "(security.protocol, sasl.*, ssl.*) are the producer's either way.";

    public static final String INSTANCE_ID_CONFIG = PREFIX + "instance.id";
    public static final String INSTANCE_ID_DOC = "Identifies this application instance in status events; empty: "
            + "{host}-{pid}.";

    public static final String STATE_RESTORE_CONFIG = PREFIX + "state.restore";
    public static final String STATE_RESTORE_DOC = "Whether a breaker starts from the state its instance last published "
            + "to the status topic (an OPEN breaker keeps its remaining reset time). Needs status publishing.";

    public static final String STATE_RESTORE_TIMEOUT_MS_CONFIG = PREFIX + "state.restore.timeout.ms";
    public static final String STATE_RESTORE_TIMEOUT_MS_DOC = "How long configure() may wait to read the status topic "
            + "when restoring; after it, the breaker starts from what was read, or CLOSED.";

    public static final String STATE_TTL_MS_CONFIG = PREFIX + "state.ttl.ms";
    public static final String STATE_TTL_MS_DOC = "Saved state older than this is ignored when restoring.";

    /** The definition of every key: type, default, validator, importance and documentation. */
    public static final ConfigDef CONFIG_DEF = new ConfigDef()
            .define(BREAKER_NAME_CONFIG, Type.STRING, BREAKER_NAME_DEFAULT, new ConfigDef.NonEmptyString(), Importance.HIGH,
                    BREAKER_NAME_DOC)
            .define(FAILURE_THRESHOLD_CONFIG, Type.INT, 5, Range.between(1, 1_000_000), Importance.HIGH, FAILURE_THRESHOLD_DOC)
            .define(SUCCESS_THRESHOLD_CONFIG, Type.INT, 3, Range.between(1, 1_000), Importance.MEDIUM, SUCCESS_THRESHOLD_DOC)
            .define(RESET_TIMEOUT_MS_CONFIG, Type.LONG, 30_000L, Range.between(1, Duration.ofDays(1).toMillis()),
                    Importance.HIGH, RESET_TIMEOUT_MS_DOC)
            .define(HALF_OPEN_MAX_CALLS_CONFIG, Type.INT, 3, Range.between(1, 1_000), Importance.MEDIUM, HALF_OPEN_MAX_CALLS_DOC)
            .define(HALF_OPEN_MAX_WAIT_MS_CONFIG, Type.LONG, 0L, Range.between(0, Duration.ofDays(1).toMillis()),
                    Importance.LOW, HALF_OPEN_MAX_WAIT_MS_DOC)
            .define(WINDOW_SIZE_CONFIG, Type.INT, 0, Range.between(0, CircuitBreakerConfig.MAX_WINDOW_SIZE), Importance.MEDIUM,
                    WINDOW_SIZE_DOC)
            .define(WINDOW_DURATION_MS_CONFIG, Type.LONG, 0L, Range.between(0, CircuitBreakerConfig.MAX_WINDOW_DURATION.toMillis()),
                    Importance.MEDIUM, WINDOW_DURATION_MS_DOC)
            .define(MINIMUM_CALLS_CONFIG, Type.INT, 0, Range.between(0, CircuitBreakerConfig.MAX_WINDOW_SIZE), Importance.LOW,
                    MINIMUM_CALLS_DOC)
            .define(FAILURE_RATE_THRESHOLD_CONFIG, Type.DOUBLE, 0.0, Range.between(0.0, 1.0), Importance.MEDIUM,
                    FAILURE_RATE_THRESHOLD_DOC)
            .define(SLOW_CALL_RATE_THRESHOLD_CONFIG, Type.DOUBLE, 0.0, Range.between(0.0, 1.0), Importance.LOW,
                    SLOW_CALL_RATE_THRESHOLD_DOC)
            .define(SLOW_CALL_DURATION_MS_CONFIG, Type.LONG, 0L, Range.between(0, Duration.ofHours(1).toMillis()),
                    Importance.LOW, SLOW_CALL_DURATION_MS_DOC)
            .define(SEND_BLOCK_THRESHOLD_MS_CONFIG, Type.LONG, 1_000L, Range.between(1, Duration.ofHours(1).toMillis()),
                    Importance.HIGH, SEND_BLOCK_THRESHOLD_MS_DOC)
            .define(IN_FLIGHT_THRESHOLD_MS_CONFIG, Type.LONG, 2_000L, Range.between(1, Duration.ofHours(1).toMillis()),
                    Importance.HIGH, IN_FLIGHT_THRESHOLD_MS_DOC)
            .define(STATUS_ENABLED_CONFIG, Type.BOOLEAN, true, Importance.MEDIUM, STATUS_ENABLED_DOC)
            .define(STATUS_TOPIC_CONFIG, Type.STRING, STATUS_TOPIC_DEFAULT, new TopicName(), Importance.MEDIUM, STATUS_TOPIC_DOC)
            .define(STATUS_BOOTSTRAP_SERVERS_CONFIG, Type.STRING, "", Importance.MEDIUM, STATUS_BOOTSTRAP_SERVERS_DOC)
            .define(INSTANCE_ID_CONFIG, Type.STRING, "", Importance.MEDIUM, INSTANCE_ID_DOC)
            .define(STATE_RESTORE_CONFIG, Type.BOOLEAN, true, Importance.MEDIUM, STATE_RESTORE_DOC)
            .define(STATE_RESTORE_TIMEOUT_MS_CONFIG, Type.LONG, 5_000L, Range.between(1, 120_000), Importance.LOW,
                    STATE_RESTORE_TIMEOUT_MS_DOC)
            .define(STATE_TTL_MS_CONFIG, Type.LONG, 3_600_000L, Range.between(1, Duration.ofDays(30).toMillis()),
                    Importance.LOW, STATE_TTL_MS_DOC);

    /** The reference table of every key, in Markdown, generated from {@link #CONFIG_DEF}. */
    public static String markdownTable() {
        StringBuilder md = new StringBuilder()
                .append("# Breakwater configuration\n\n")
                .append("The `breakwater.*` keys that `CircuitBreakerProducerInterceptor` and ")
                .append("`CircuitBreakerProducer.wrap(producer, properties)` read from a producer's properties. ")
                .append("Generated from `BreakwaterConfig.CONFIG_DEF`; do not edit by hand ")
                .append("(`mvn -pl interceptors test -Dtest=BreakwaterConfigTest -Dbreakwater.docs.write=true`).\n\n")
                .append("| key | type | default | valid values | importance | description |\n")
                .append("|---|---|---|---|---|---|\n");
        for (ConfigDef.ConfigKey key : CONFIG_DEF.configKeys().values()) {
            Object def = key.defaultValue;
            String shown = def == null ? "" : def.toString().isEmpty() ? "\"\"" : def.toString();
            md.append("| `").append(key.name).append("` | ").append(key.type.name().toLowerCase(java.util.Locale.ROOT))
                    .append(" | `").append(shown).append("` | ")
                    .append(key.validator == null ? "" : key.validator.toString().replace("|", "\\|"))
                    .append(" | ").append(key.importance.name().toLowerCase(java.util.Locale.ROOT))
                    .append(" | ").append(key.documentation.replace("|", "\\|")).append(" |\n");
        }
        return md.toString();
    }

    /** Reads and checks the {@code breakwater.*} keys of {@code originals}; other keys are left alone. */
    public BreakwaterConfig(Map<String, ?> originals) {
        super(CONFIG_DEF, breakwaterKeys(originals), false);
        if (getInt(SUCCESS_THRESHOLD_CONFIG) > getInt(HALF_OPEN_MAX_CALLS_CONFIG)) {
            throw new ConfigException(SUCCESS_THRESHOLD_CONFIG, getInt(SUCCESS_THRESHOLD_CONFIG),
                    "must be <= " + HALF_OPEN_MAX_CALLS_CONFIG + " (" + getInt(HALF_OPEN_MAX_CALLS_CONFIG) + ")");
        }
        if (getInt(WINDOW_SIZE_CONFIG) > 0 && getLong(WINDOW_DURATION_MS_CONFIG) > 0) {
            throw new ConfigException(WINDOW_DURATION_MS_CONFIG, getLong(WINDOW_DURATION_MS_CONFIG),
                    "excludes " + WINDOW_SIZE_CONFIG + " (" + getInt(WINDOW_SIZE_CONFIG) + "): choose a count or a time window");
        }
        if (getLong(WINDOW_DURATION_MS_CONFIG) % 1000 != 0) {
            throw new ConfigException(WINDOW_DURATION_MS_CONFIG, getLong(WINDOW_DURATION_MS_CONFIG),
                    "must be whole seconds (a multiple of 1000)");
        }
        try {
            toBreakerConfig();
        } catch (IllegalArgumentException e) {
            throw new ConfigException("Invalid breakwater.* configuration: " + e.getMessage());
        }
    }

    /** The {@code breakwater.} keys of {@code originals}; an unknown one fails, naming it. */
    static Map<String, Object> breakwaterKeys(Map<String, ?> originals) {
        Map<String, Object> keys = new java.util.HashMap<>();
        Set<String> unknown = new TreeSet<>();
        for (Map.Entry<String, ?> e : originals.entrySet()) {
            if (e.getKey().startsWith(PREFIX)) {
                if (CONFIG_DEF.configKeys().containsKey(e.getKey())) {
                    keys.put(e.getKey(), e.getValue());
                } else {
                    unknown.add(e.getKey());
                }
            }
        }
        if (!unknown.isEmpty()) {
            throw new ConfigException("Unknown Breakwater configuration key(s) " + unknown + "; the known keys are "
                    + new TreeSet<>(CONFIG_DEF.names()));
        }
        return keys;
    }

    /** The breaker config these keys describe. */
    public CircuitBreakerConfig toBreakerConfig() {
        CircuitBreakerConfig.Builder b = CircuitBreakerConfig.builder(getString(BREAKER_NAME_CONFIG))
                .failureThreshold(getInt(FAILURE_THRESHOLD_CONFIG))
                .successThreshold(getInt(SUCCESS_THRESHOLD_CONFIG))
                .resetTimeout(Duration.ofMillis(getLong(RESET_TIMEOUT_MS_CONFIG)))
                .halfOpenMaxCalls(getInt(HALF_OPEN_MAX_CALLS_CONFIG));
        if (getLong(HALF_OPEN_MAX_WAIT_MS_CONFIG) > 0) {
            b.halfOpenMaxWait(Duration.ofMillis(getLong(HALF_OPEN_MAX_WAIT_MS_CONFIG)));
        }
        if (getInt(WINDOW_SIZE_CONFIG) > 0) {
            b.windowSize(getInt(WINDOW_SIZE_CONFIG));
        }
        if (getLong(WINDOW_DURATION_MS_CONFIG) > 0) {
            b.windowDuration(Duration.ofMillis(getLong(WINDOW_DURATION_MS_CONFIG)));
        }
        if (getInt(MINIMUM_CALLS_CONFIG) > 0) {
            b.minimumCalls(getInt(MINIMUM_CALLS_CONFIG));
        }
        if (getDouble(FAILURE_RATE_THRESHOLD_CONFIG) > 0) {
            b.failureRateThreshold(getDouble(FAILURE_RATE_THRESHOLD_CONFIG));
        }
        if (getLong(SLOW_CALL_DURATION_MS_CONFIG) > 0) {
            b.slowCallDuration(Duration.ofMillis(getLong(SLOW_CALL_DURATION_MS_CONFIG)));
        }
        if (getDouble(SLOW_CALL_RATE_THRESHOLD_CONFIG) > 0) {
            b.slowCallRateThreshold(getDouble(SLOW_CALL_RATE_THRESHOLD_CONFIG));
        }
        return b.build();
    }

    /** Whether to restore breaker state from the status topic (status publishing on, and restore on). */
    public boolean restoreState() {
        return statusEnabled() && getBoolean(STATE_RESTORE_CONFIG);
    }

    public Duration stateRestoreTimeout() {
        return Duration.ofMillis(getLong(STATE_RESTORE_TIMEOUT_MS_CONFIG));
    }

    public Duration stateTtl() {
        return Duration.ofMillis(getLong(STATE_TTL_MS_CONFIG));
    }

    public String breakerName() {
        return getString(BREAKER_NAME_CONFIG);
    }

    public Duration sendBlockThreshold() {
        return Duration.ofMillis(getLong(SEND_BLOCK_THRESHOLD_MS_CONFIG));
    }

    public Duration inFlightThreshold() {
        return Duration.ofMillis(getLong(IN_FLIGHT_THRESHOLD_MS_CONFIG));
    }

    public boolean statusEnabled() {
        return getBoolean(STATUS_ENABLED_CONFIG);
    }

    public String statusTopic() {
        return getString(STATUS_TOPIC_CONFIG);
    }

    /** The status cluster's bootstrap servers, if a separate one is configured. */
    public String statusBootstrapServers() {
        return getString(STATUS_BOOTSTRAP_SERVERS_CONFIG).trim();
    }

    /** The configured instance id, or {@code {host}-{pid}}. */
    public String instanceId() {
        String configured = getString(INSTANCE_ID_CONFIG).trim();
        return configured.isEmpty() ? defaultInstanceId() : configured;
    }

    static String defaultInstanceId() {
        String host;
        try {
            host = InetAddress.getLocalHost().getHostName();
        } catch (java.io.IOException e) {
            host = "localhost";
        }
        String jvm = ManagementFactory.getRuntimeMXBean().getName();
        String pid = Long.toString(ProcessHandle.current().pid());
        return (host.isBlank() ? jvm : host) + "-" + pid;
    }

    /** Kafka's topic-name rule: 1..249 of [a-zA-Z0-9._-], not "." or "..". */
    static final class TopicName implements ConfigDef.Validator {
        @Override
        public void ensureValid(String name, Object value) {
            String topic = (String) value;
            if (topic == null || topic.isEmpty() || topic.length() > 249 || topic.equals(".") || topic.equals("..")
                    || !topic.matches("[a-zA-Z0-9._-]+")) {
                throw new ConfigException(name, value, "must be a valid topic name: 1 to 249 characters of "
                        + "[a-zA-Z0-9._-], not '.' or '..'");
            }
        }

        @Override
        public String toString() {
            return "a topic name: 1-249 of [a-zA-Z0-9._-]";
        }
    }
}
