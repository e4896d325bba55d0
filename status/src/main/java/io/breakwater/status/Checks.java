package io.breakwater.status;

import java.util.Objects;

/** The argument checks shared by the status module's entry points. */
final class Checks {

    private Checks() {
    }

    /** Kafka's rule for topic names: 1 to 249 of [a-zA-Z0-9._-], not "." or "..". */
    static void requireTopic(String topic) {
        requireText("topic", topic);
        if (topic.length() > 249 || topic.equals(".") || topic.equals("..") || !topic.matches("[a-zA-Z0-9._-]+")) {
            throw new IllegalArgumentException("topic must be a Kafka topic name (1 to 249 of [a-zA-Z0-9._-], not '.' "
                    + "or '..'), but was '" + topic + "'");
        }
    }

    /** Not blank, and without '/', which separates the instance from the breaker in the topics' keys. */
    static void requireInstanceId(String instanceId) {
        requireText("instanceId", instanceId);
        if (instanceId.indexOf('/') >= 0) {
            throw new IllegalArgumentException("instanceId must not contain '/' (it separates the instance from the "
                    + "breaker in the status and control topics' keys), but was '" + instanceId + "'");
        }
    }

    static void requireText(String what, String value) {
        Objects.requireNonNull(value, what);
        if (value.isBlank()) {
            throw new IllegalArgumentException(what + " must not be blank, but was '" + value + "'");
        }
    }
}
