package io.breakwater.interceptors.internal;

import static io.breakwater.interceptors.BreakwaterConfig.*;

import io.breakwater.breaker.CircuitBreakerConfig;
import java.time.Duration;
import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.common.config.ConfigDef.Importance;
import org.apache.kafka.common.config.ConfigDef.Range;
import org.apache.kafka.common.config.ConfigDef.Type;

/** The definition of every {@code breakwater.*} key, for {@code BreakwaterConfig.CONFIG_DEF}: kept here for its length. */
public final class KeyDefinitions {

    private KeyDefinitions() {
    }

    /** Every key: type, default, validator, importance and documentation, in the order the docs list them. */
    public static ConfigDef configDef() {
        return new ConfigDef()
                .define(BREAKER_NAME_CONFIG, Type.STRING, "", Importance.HIGH, BREAKER_NAME_DOC)
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
                .define(SEND_NONBLOCKING_CONFIG, Type.BOOLEAN, false, Importance.HIGH, SEND_NONBLOCKING_DOC)
                .define(SEND_QUEUE_MAX_RECORDS_CONFIG, Type.INT, SEND_QUEUE_MAX_RECORDS_DEFAULT, Range.between(1, 10_000_000),
                        Importance.MEDIUM, SEND_QUEUE_MAX_RECORDS_DOC)
                .define(STATUS_ENABLED_CONFIG, Type.BOOLEAN, true, Importance.MEDIUM, STATUS_ENABLED_DOC)
                .define(STATUS_TOPIC_CONFIG, Type.STRING, STATUS_TOPIC_DEFAULT, new TopicNameValidator(), Importance.MEDIUM,
                        STATUS_TOPIC_DOC)
                .define(STATUS_BOOTSTRAP_SERVERS_CONFIG, Type.STRING, "", Importance.MEDIUM, STATUS_BOOTSTRAP_SERVERS_DOC)
                .define(INSTANCE_ID_CONFIG, Type.STRING, "", Importance.MEDIUM, INSTANCE_ID_DOC)
                .define(STATE_RESTORE_CONFIG, Type.BOOLEAN, true, Importance.MEDIUM, STATE_RESTORE_DOC)
                .define(STATE_RESTORE_TIMEOUT_MS_CONFIG, Type.LONG, 5_000L, Range.between(1, 120_000), Importance.LOW,
                        STATE_RESTORE_TIMEOUT_MS_DOC)
                .define(STATE_TTL_MS_CONFIG, Type.LONG, 3_600_000L, Range.between(1, Duration.ofDays(30).toMillis()),
                        Importance.LOW, STATE_TTL_MS_DOC)
                .define(STATUS_HEARTBEAT_MS_CONFIG, Type.LONG, 30_000L, Range.between(100, Duration.ofDays(1).toMillis()),
                        Importance.MEDIUM, STATUS_HEARTBEAT_MS_DOC)
                .define(CONTROL_ENABLED_CONFIG, Type.BOOLEAN, false, Importance.MEDIUM, CONTROL_ENABLED_DOC)
                .define(CONTROL_TOPIC_CONFIG, Type.STRING, CONTROL_TOPIC_DEFAULT, new TopicNameValidator(), Importance.LOW,
                        CONTROL_TOPIC_DOC)
                .define(CONTROL_READ_TIMEOUT_MS_CONFIG, Type.LONG, 5_000L, Range.between(0, 120_000), Importance.LOW,
                        CONTROL_READ_TIMEOUT_MS_DOC);
    }
}
