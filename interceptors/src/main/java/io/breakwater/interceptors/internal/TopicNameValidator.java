package io.breakwater.interceptors.internal;

import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.common.config.ConfigException;

/** Kafka's topic-name rule: 1..249 of [a-zA-Z0-9._-], not "." or "..". */
public final class TopicNameValidator implements ConfigDef.Validator {

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
