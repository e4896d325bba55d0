package io.breakwater.interceptors.internal;

import static io.breakwater.interceptors.BreakwaterConfig.BREAKER_NAME_CONFIG;
import static io.breakwater.interceptors.BreakwaterConfig.FAILURE_RATE_THRESHOLD_CONFIG;
import static io.breakwater.interceptors.BreakwaterConfig.HALF_OPEN_MAX_CALLS_CONFIG;
import static io.breakwater.interceptors.BreakwaterConfig.INSTANCE_ID_CONFIG;
import static io.breakwater.interceptors.BreakwaterConfig.SLOW_CALL_RATE_THRESHOLD_CONFIG;
import static io.breakwater.interceptors.BreakwaterConfig.SUCCESS_THRESHOLD_CONFIG;
import static io.breakwater.interceptors.BreakwaterConfig.WINDOW_DURATION_MS_CONFIG;
import static io.breakwater.interceptors.BreakwaterConfig.WINDOW_SIZE_CONFIG;

import io.breakwater.interceptors.BreakwaterConfig;
import io.breakwater.status.StatusClients;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.common.config.ConfigException;

/** The rules of the {@code breakwater.*} keys that one key's range cannot say: NaN, blanks, pairs of keys. */
public final class KeyChecks {

    private KeyChecks() {
    }

    /**
     * The {@code breakwater.} keys of {@code originals} that {@code definitions} defines; the status clients' security
     * overrides ({@code breakwater.status.security.protocol}, {@code breakwater.status.sasl.*},
     * {@code breakwater.status.ssl.*}) are left to them. Any other {@code breakwater.} key fails, naming it.
     */
    public static Map<String, Object> breakwaterKeys(ConfigDef definitions, Map<String, ?> originals) {
        Map<String, Object> keys = new HashMap<>();
        Set<String> unknown = new TreeSet<>();
        for (Map.Entry<String, ?> e : originals.entrySet()) {
            String key = e.getKey();
            if (!key.startsWith(BreakwaterConfig.PREFIX) || StatusClients.isSecurityOverride(key)) {
                continue;
            }
            if (definitions.configKeys().containsKey(key)) {
                keys.put(key, e.getValue());
            } else {
                unknown.add(key);
            }
        }
        if (!unknown.isEmpty()) {
            throw new ConfigException("Unknown Breakwater configuration key(s) " + unknown + "; the known keys are "
                    + new TreeSet<>(definitions.names()) + ", and breakwater.status.security.protocol, "
                    + "breakwater.status.sasl.* and breakwater.status.ssl.* (the status clients' own security settings)");
        }
        return keys;
    }

    /** Checks {@code config}, read from {@code originals}; the first broken rule fails, naming its key. */
    public static void check(BreakwaterConfig config, Map<String, ?> originals) {
        for (String key : List.of(FAILURE_RATE_THRESHOLD_CONFIG, SLOW_CALL_RATE_THRESHOLD_CONFIG)) {
            if (Double.isNaN(config.getDouble(key))) {
                throw new ConfigException(key, originals.get(key), "must be a number in [0, 1] (0: off)");
            }
        }
        for (String key : List.of(BREAKER_NAME_CONFIG, INSTANCE_ID_CONFIG)) {
            if (originals.containsKey(key) && config.getString(key).isBlank()) {
                throw new ConfigException(key, originals.get(key), "must not be blank; leave it out for the default");
            }
        }
        if (config.getInt(SUCCESS_THRESHOLD_CONFIG) > config.getInt(HALF_OPEN_MAX_CALLS_CONFIG)) {
            throw new ConfigException(SUCCESS_THRESHOLD_CONFIG, config.getInt(SUCCESS_THRESHOLD_CONFIG),
                    "must be <= " + HALF_OPEN_MAX_CALLS_CONFIG + " (" + config.getInt(HALF_OPEN_MAX_CALLS_CONFIG) + ")");
        }
        if (config.getInt(WINDOW_SIZE_CONFIG) > 0 && config.getLong(WINDOW_DURATION_MS_CONFIG) > 0) {
            throw new ConfigException(WINDOW_DURATION_MS_CONFIG, config.getLong(WINDOW_DURATION_MS_CONFIG),
                    "excludes " + WINDOW_SIZE_CONFIG + " (" + config.getInt(WINDOW_SIZE_CONFIG) + "): choose a count or a time window");
        }
        if (config.getLong(WINDOW_DURATION_MS_CONFIG) % 1000 != 0) {
            throw new ConfigException(WINDOW_DURATION_MS_CONFIG, config.getLong(WINDOW_DURATION_MS_CONFIG),
                    "must be whole seconds (a multiple of 1000)");
        }
        try {
            config.toBreakerConfig();
        } catch (IllegalArgumentException e) {
            throw new ConfigException("Invalid breakwater.* configuration: " + KeyNames.inKeys(e.getMessage()));
        }
    }
}
