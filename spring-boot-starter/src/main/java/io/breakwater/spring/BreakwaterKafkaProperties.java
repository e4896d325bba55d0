package io.breakwater.spring;

import io.breakwater.spring.internal.PropertyChecks;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import org.springframework.beans.factory.InitializingBean;
import org.springframework.boot.context.properties.ConfigurationProperties;

/**
 * {@code breakwater.listeners.*}, {@code breakwater.status.*} and {@code breakwater.event-bus.*}: the listener
 * gates, the status topic publisher and the EventBus, whose Kafka clients connect as the application's producers
 * do. The publisher and the bus are off unless enabled. Checked as soon as bound: a bad value stops the start-up
 * with a message that names the property. Not thread-safe while Spring binds it; read-only afterwards.
 */
@ConfigurationProperties(prefix = "breakwater")
public class BreakwaterKafkaProperties implements InitializingBean {

    /** The status topic: every breaker's transitions and this instance's heartbeats. */
    private final Status status = new Status();

    /** The EventBus and its RedpandaTransport. */
    private final Bus eventBus = new Bus();

    /** Listener gates, by @KafkaListener id. */
    private final Map<String, Listener> listeners = new LinkedHashMap<>();

    /** @throws IllegalArgumentException naming the property that has a bad value, and the value */
    @Override
    public void afterPropertiesSet() {
        PropertyChecks.topic("breakwater.status.topic", status.getTopic());
        PropertyChecks.instanceIdIfSet("breakwater.status.instance-id", status.getInstanceId());
        PropertyChecks.topicPrefix("breakwater.event-bus.topic-prefix", eventBus.getTopicPrefix());
        PropertyChecks.notBlank("breakwater.event-bus.transport-breaker-name", eventBus.getTransportBreakerName());
        PropertyChecks.positiveIfSet("breakwater.event-bus.spill-max-events", eventBus.getSpillMaxEvents());
        listeners.forEach((id, gate) -> PropertyChecks.notBlank("breakwater.listeners." + id + ".pause-on",
                gate.getPauseOn()));
    }

    public Map<String, Listener> getListeners() {
        return listeners;
    }

    public Status getStatus() {
        return status;
    }

    public Bus getEventBus() {
        return eventBus;
    }

    /** The gate of one @KafkaListener container. */
    public static class Listener {

        /** The breaker whose OPEN state pauses the container; it resumes when the breaker admits calls again. */
        private String pauseOn;

        public String getPauseOn() {
            return pauseOn;
        }

        public void setPauseOn(String pauseOn) {
            this.pauseOn = pauseOn;
        }
    }

    /** The status publisher. */
    public static class Status {

        /** Whether every breaker's transitions go to the status topic. */
        private boolean enabled;

        /** The compacted topic of status events; created if missing. */
        private String topic = "breakwater-status";

        /** This instance in status events; default: spring.application.name, the host and the process id. */
        private String instanceId;

        /** Whether the breakwater endpoint also shows the fleet: every instance's breakers, read from the topic. */
        private boolean fleetView;

        public boolean isFleetView() {
            return fleetView;
        }

        public void setFleetView(boolean fleetView) {
            this.fleetView = fleetView;
        }

        public boolean isEnabled() {
            return enabled;
        }

        public void setEnabled(boolean enabled) {
            this.enabled = enabled;
        }

        public String getTopic() {
            return topic;
        }

        public void setTopic(String topic) {
            this.topic = topic;
        }

        public String getInstanceId() {
            return instanceId;
        }

        public void setInstanceId(String instanceId) {
            this.instanceId = instanceId;
        }
    }

    /** The EventBus. */
    public static class Bus {

        /** Whether an EventBus bean (and its RedpandaTransport) is created. */
        private boolean enabled;

        /** Prefix of every stream's topic. */
        private String topicPrefix = "";

        /** Name of the transport's breaker; its settings come from breakwater.breaker and breakwater.breakers. */
        private String transportBreakerName = "redpanda_transport";

        /** SQLite file that keeps the events Kafka cannot take, replayed later; none when unset. */
        private Path spillPath;

        /** Most events the spill keeps (SqliteSpillStore's default: 1000000). */
        private Long spillMaxEvents;

        public Path getSpillPath() {
            return spillPath;
        }

        public void setSpillPath(Path spillPath) {
            this.spillPath = spillPath;
        }

        public Long getSpillMaxEvents() {
            return spillMaxEvents;
        }

        public void setSpillMaxEvents(Long spillMaxEvents) {
            this.spillMaxEvents = spillMaxEvents;
        }

        public boolean isEnabled() {
            return enabled;
        }

        public void setEnabled(boolean enabled) {
            this.enabled = enabled;
        }

        public String getTopicPrefix() {
            return topicPrefix;
        }

        public void setTopicPrefix(String topicPrefix) {
            this.topicPrefix = topicPrefix;
        }

        public String getTransportBreakerName() {
            return transportBreakerName;
        }

        public void setTransportBreakerName(String transportBreakerName) {
            this.transportBreakerName = transportBreakerName;
        }
    }
}
