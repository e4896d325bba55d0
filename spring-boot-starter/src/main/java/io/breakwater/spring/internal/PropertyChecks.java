package io.breakwater.spring.internal;

import java.time.Duration;
import java.util.regex.Pattern;

/**
 * Checks of {@code breakwater.*} values at start-up; each failure is an {@link IllegalArgumentException} that names
 * the property and quotes the value, so the application stops before anything runs with it. Stateless.
 */
public final class PropertyChecks {

    private static final Pattern TOPIC_CHARACTERS = Pattern.compile("[a-zA-Z0-9._-]*");

    private PropertyChecks() {
    }

    /** Unset, or longer than zero. */
    public static void positiveIfSet(String property, Duration value) {
        if (value != null && (value.isZero() || value.isNegative())) {
            throw new IllegalArgumentException(property + " must be > 0, but was " + value);
        }
    }

    /** Unset, or at least 1. */
    public static void positiveIfSet(String property, Long value) {
        if (value != null && value < 1) {
            throw new IllegalArgumentException(property + " must be >= 1, but was " + value);
        }
    }

    public static void notBlank(String property, String value) {
        if (value == null || value.isBlank()) {
            throw new IllegalArgumentException(property + " must not be blank, but was "
                    + (value == null ? "unset" : "'" + value + "'"));
        }
    }

    /** A name Kafka takes for a topic: 1 to 249 of [a-zA-Z0-9._-], not '.' or '..'. */
    public static void topic(String property, String value) {
        if (value == null || value.isEmpty() || value.length() > 249 || value.equals(".") || value.equals("..")
                || !TOPIC_CHARACTERS.matcher(value).matches()) {
            throw new IllegalArgumentException(property + " must be a Kafka topic name (1 to 249 of [a-zA-Z0-9._-], "
                    + "not '.' or '..'), but was " + (value == null ? "unset" : "'" + value + "'"));
        }
    }

    /** Empty, or what may start a topic name: [a-zA-Z0-9._-], at most 248 of them. */
    public static void topicPrefix(String property, String value) {
        if (value == null || value.length() > 248 || !TOPIC_CHARACTERS.matcher(value).matches()) {
            throw new IllegalArgumentException(property + " must be empty or at most 248 of [a-zA-Z0-9._-], but was "
                    + (value == null ? "unset" : "'" + value + "'"));
        }
    }

    /** Unset, or an instance id of the status topic's keys: not blank, without '/'. */
    public static void instanceIdIfSet(String property, String value) {
        if (value != null && (value.isBlank() || value.indexOf('/') >= 0)) {
            throw new IllegalArgumentException(property + " must not be blank nor contain '/' (it separates the instance"
                    + " from the breaker in the status topic's keys), but was '" + value + "'");
        }
    }
}
