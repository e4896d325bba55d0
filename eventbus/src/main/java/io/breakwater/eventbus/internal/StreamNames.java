package io.breakwater.eventbus.internal;

import java.util.regex.Pattern;

/** Kafka's rules for topic names, applied to stream names once a prefix is added. */
public final class StreamNames {

    public static final int MAX_TOPIC_LENGTH = 249;
    private static final Pattern LEGAL = Pattern.compile("[a-zA-Z0-9._-]+");

    private StreamNames() {
    }

    /** Checks a topic prefix: only the characters Kafka allows in topic names, and room left for a stream. */
    public static void prefix(String prefix) {
        if (prefix.length() >= MAX_TOPIC_LENGTH) {
            throw new IllegalArgumentException("topic prefix '" + prefix + "' is " + prefix.length()
                    + " characters, which leaves no room for a stream name: Kafka allows at most " + MAX_TOPIC_LENGTH
                    + " for a whole topic name");
        }
        if (!LEGAL.matcher(prefix).matches()) {
            throw new IllegalArgumentException("topic prefix '" + prefix
                    + "' is not legal in a Kafka topic name: only ASCII letters, digits, '.', '_' and '-' are allowed");
        }
    }

    /** The topic of {@code stream}, or an {@link IllegalArgumentException} that says which rule it breaks. */
    public static String topic(String prefix, String stream) {
        if (stream == null) {
            throw new NullPointerException("stream");
        }
        if (stream.isEmpty()) {
            throw new IllegalArgumentException("stream name must not be empty");
        }
        String topic = prefix.isEmpty() ? stream : prefix + stream;
        if (topic.length() > MAX_TOPIC_LENGTH) {
            throw new IllegalArgumentException("stream '" + stream + "' maps to topic '" + topic + "' of " + topic.length()
                    + " characters; Kafka allows at most " + MAX_TOPIC_LENGTH);
        }
        if (topic.equals(".") || topic.equals("..")) {
            throw new IllegalArgumentException("stream '" + stream + "' maps to topic '" + topic + "', which Kafka forbids");
        }
        if (!LEGAL.matcher(topic).matches()) {
            throw new IllegalArgumentException("stream '" + stream + "' maps to topic '" + topic
                    + "', which is not a legal Kafka topic name: only ASCII letters, digits, '.', '_' and '-' are allowed");
        }
        return topic;
    }
}
