package io.breakwater.spring.internal;

import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.ListableBeanFactory;
import org.springframework.beans.factory.SmartInitializingSingleton;
import org.springframework.core.env.Environment;
import org.springframework.util.ClassUtils;

/**
 * Says, once the application's beans are made, that the Kafka settings it turned on do nothing: the status publisher,
 * the fleet view and the EventBus are made from Spring Kafka's auto-configured {@code KafkaProperties}, and without
 * them (spring-kafka not on the class path, or {@code KafkaAutoConfiguration} excluded) the settings are ignored.
 * A warning, not a failed start: the breakers and the rest of the application work without them.
 */
public final class KafkaAbsentCheck implements SmartInitializingSingleton {

    static final String KAFKA_PROPERTIES = "org.springframework.boot.kafka.autoconfigure.KafkaProperties";
    static final List<String> KAFKA_SETTINGS = List.of("breakwater.status.enabled", "breakwater.status.fleet-view",
            "breakwater.event-bus.enabled");

    private static final Logger LOG = LoggerFactory.getLogger(KafkaAbsentCheck.class);

    private final ListableBeanFactory beans;
    private final Environment env;

    public KafkaAbsentCheck(ListableBeanFactory beans, Environment env) {
        this.beans = beans;
        this.env = env;
    }

    @Override
    public void afterSingletonsInstantiated() {
        List<String> on = KAFKA_SETTINGS.stream().filter(name -> "true".equalsIgnoreCase(env.getProperty(name, "").strip()))
                .toList();
        if (on.isEmpty() || kafkaPropertiesPresent()) {
            return;
        }
        LOG.warn("{} {} no effect: Breakwater makes these from Spring Kafka's auto-configured KafkaProperties, and this "
                        + "application has none (spring-kafka is not on the class path, or KafkaAutoConfiguration is "
                        + "excluded). Add spring-kafka and let its auto-configuration run, or remove the setting(s).",
                String.join(", ", on.stream().map(name -> name + "=true").toList()), on.size() == 1 ? "has" : "have");
    }

    private boolean kafkaPropertiesPresent() {
        ClassLoader loader = getClass().getClassLoader();
        if (!ClassUtils.isPresent(KAFKA_PROPERTIES, loader)) {
            return false;
        }
        return beans.getBeanNamesForType(ClassUtils.resolveClassName(KAFKA_PROPERTIES, loader), true, false).length > 0;
    }
}
