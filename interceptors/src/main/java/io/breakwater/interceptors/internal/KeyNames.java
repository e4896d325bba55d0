package io.breakwater.interceptors.internal;

import io.breakwater.interceptors.BreakwaterConfig;
import java.util.Map;

/** The breaker's field names as the {@code breakwater.*} keys that set them, for messages in the user's own words. */
public final class KeyNames {

    private KeyNames() {
    }

    // The breaker's field names and the keys that set them, for messages in the user's own words.
    private static final Map<String, String> KEYS = Map.ofEntries(
            Map.entry("failureThreshold", BreakwaterConfig.FAILURE_THRESHOLD_CONFIG),
            Map.entry("successThreshold", BreakwaterConfig.SUCCESS_THRESHOLD_CONFIG),
            Map.entry("resetTimeout", BreakwaterConfig.RESET_TIMEOUT_MS_CONFIG),
            Map.entry("halfOpenMaxCalls", BreakwaterConfig.HALF_OPEN_MAX_CALLS_CONFIG),
            Map.entry("halfOpenMaxWait", BreakwaterConfig.HALF_OPEN_MAX_WAIT_MS_CONFIG),
            Map.entry("windowSize", BreakwaterConfig.WINDOW_SIZE_CONFIG),
            Map.entry("windowDuration", BreakwaterConfig.WINDOW_DURATION_MS_CONFIG),
            Map.entry("minimumCalls", BreakwaterConfig.MINIMUM_CALLS_CONFIG),
            Map.entry("failureRateThreshold", BreakwaterConfig.FAILURE_RATE_THRESHOLD_CONFIG),
            Map.entry("slowCallRateThreshold", BreakwaterConfig.SLOW_CALL_RATE_THRESHOLD_CONFIG),
            Map.entry("slowCallDuration", BreakwaterConfig.SLOW_CALL_DURATION_MS_CONFIG));

    /** {@code message} of the breaker's validation with its field names replaced by the {@code breakwater.*} keys. */
    public static String inKeys(String message) {
        String m = message;
        for (Map.Entry<String, String> e : KEYS.entrySet()) {
            m = m.replaceAll("\\b" + e.getKey() + "\\b", e.getValue());
        }
        return m;
    }
}
