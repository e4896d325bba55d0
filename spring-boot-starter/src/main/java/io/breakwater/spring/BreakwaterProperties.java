package io.breakwater.spring;

import io.breakwater.spring.internal.PropertyChecks;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import org.springframework.beans.factory.InitializingBean;
import org.springframework.boot.context.properties.ConfigurationProperties;

/**
 * The {@code breakwater.*} properties of a Spring Boot application. Bound and checked at start-up: the guard's
 * values as soon as they are bound (the message names the property and the value), the breaker settings by
 * {@link io.breakwater.breaker.CircuitBreakerConfig}'s own builder, so a bad value stops the start-up with the same
 * message a {@code CircuitBreakerConfig} gives.
 *
 * <p>Not thread-safe while Spring binds it; read-only afterwards.
 */
@ConfigurationProperties(prefix = "breakwater")
public class BreakwaterProperties implements InitializingBean {

    /** How the guard treats the producers of Spring Kafka's producer factory. */
    public enum Mode {
        /** Sends fail fast with CircuitBreakerOpenException while the breaker is open. */
        ENFORCE,
        /**
         * Sends are never refused, but the breaker decides each as if they could be (it opens, tries after its reset
         * timeout, closes or re-opens on real traffic): to watch a breaker before trusting it.
         */
        OBSERVE
    }

    /** Whether Breakwater's auto-configuration is on. */
    private boolean enabled = true;

    /** Settings of every breaker that has no entry under breakwater.breakers. */
    private Breaker breaker = new Breaker();

    /** Per-breaker settings, by breaker name; a value left out here comes from breakwater.breaker. */
    private Map<String, Breaker> breakers = new LinkedHashMap<>();

    /** The guard of Spring Kafka's producer factory. */
    private Guard guard = new Guard();

    /** The breakers' meters. */
    private Metrics metrics = new Metrics();

    /** @throws IllegalArgumentException naming the {@code breakwater.guard.*} property that has a bad value */
    @Override
    public void afterPropertiesSet() {
        PropertyChecks.notBlank("breakwater.guard.breaker-name", guard.getBreakerName());
        PropertyChecks.positiveIfSet("breakwater.guard.send-block-threshold", guard.getSendBlockThreshold());
        PropertyChecks.positiveIfSet("breakwater.guard.in-flight-threshold", guard.getInFlightThreshold());
        if (metrics.getMaxBreakers() < 0) {
            throw new IllegalArgumentException("breakwater.metrics.max-breakers must be >= 0, but was " + metrics.getMaxBreakers());
        }
    }

    public boolean isEnabled() {
        return enabled;
    }

    public void setEnabled(boolean enabled) {
        this.enabled = enabled;
    }

    public Breaker getBreaker() {
        return breaker;
    }

    public void setBreaker(Breaker breaker) {
        this.breaker = breaker;
    }

    public Map<String, Breaker> getBreakers() {
        return breakers;
    }

    public void setBreakers(Map<String, Breaker> breakers) {
        this.breakers = breakers;
    }

    public Guard getGuard() {
        return guard;
    }

    public void setGuard(Guard guard) {
        this.guard = guard;
    }

    public Metrics getMetrics() {
        return metrics;
    }

    public void setMetrics(Metrics metrics) {
        this.metrics = metrics;
    }

    /** The breakers' meters, when Micrometer is present. */
    public static class Metrics {

        /**
         * How many breakers get meters of their own (about 20 each); the others are counted in breakwater.breakers{state}
         * alone. 0: none.
         */
        private int maxBreakers = 1_000;

        public int getMaxBreakers() {
            return maxBreakers;
        }

        public void setMaxBreakers(int maxBreakers) {
            this.maxBreakers = maxBreakers;
        }
    }

    /** The settings of one breaker; a value left unset keeps CircuitBreakerConfig's default. */
    public static class Breaker {

        /** Consecutive failures that open the breaker (CircuitBreakerConfig default 5). */
        private Integer failureThreshold;

        /** Successful trial calls in HALF_OPEN that close the breaker (default 3). */
        private Integer successThreshold;

        /** How long the breaker stays OPEN before it admits trial calls (default 30s). */
        private Duration resetTimeout;

        /** Trial calls admitted in HALF_OPEN (default 3). */
        private Integer halfOpenMaxCalls;

        /** Size of a sliding window of the last N calls, for the rate thresholds. */
        private Integer windowSize;

        /** Length of a sliding time window, whole seconds, for the rate thresholds. */
        private Duration windowDuration;

        /** Calls the window must hold before its rates can open the breaker. */
        private Integer minimumCalls;

        /** Failure rate in the window, in (0, 1], that opens the breaker. */
        private Double failureRateThreshold;

        /** Rate of slow calls in the window, in (0, 1], that opens the breaker. */
        private Double slowCallRateThreshold;

        /** A call that takes at least this long is slow. */
        private Duration slowCallDuration;

        public Integer getFailureThreshold() {
            return failureThreshold;
        }

        public void setFailureThreshold(Integer failureThreshold) {
            this.failureThreshold = failureThreshold;
        }

        public Integer getSuccessThreshold() {
            return successThreshold;
        }

        public void setSuccessThreshold(Integer successThreshold) {
            this.successThreshold = successThreshold;
        }

        public Duration getResetTimeout() {
            return resetTimeout;
        }

        public void setResetTimeout(Duration resetTimeout) {
            this.resetTimeout = resetTimeout;
        }

        public Integer getHalfOpenMaxCalls() {
            return halfOpenMaxCalls;
        }

        public void setHalfOpenMaxCalls(Integer halfOpenMaxCalls) {
            this.halfOpenMaxCalls = halfOpenMaxCalls;
        }

        public Integer getWindowSize() {
            return windowSize;
        }

        public void setWindowSize(Integer windowSize) {
            this.windowSize = windowSize;
        }

        public Duration getWindowDuration() {
            return windowDuration;
        }

        public void setWindowDuration(Duration windowDuration) {
            this.windowDuration = windowDuration;
        }

        public Integer getMinimumCalls() {
            return minimumCalls;
        }

        public void setMinimumCalls(Integer minimumCalls) {
            this.minimumCalls = minimumCalls;
        }

        public Double getFailureRateThreshold() {
            return failureRateThreshold;
        }

        public void setFailureRateThreshold(Double failureRateThreshold) {
            this.failureRateThreshold = failureRateThreshold;
        }

        public Double getSlowCallRateThreshold() {
            return slowCallRateThreshold;
        }

        public void setSlowCallRateThreshold(Double slowCallRateThreshold) {
            this.slowCallRateThreshold = slowCallRateThreshold;
        }

        public Duration getSlowCallDuration() {
            return slowCallDuration;
        }

        public void setSlowCallDuration(Duration slowCallDuration) {
            this.slowCallDuration = slowCallDuration;
        }
    }

    /** The guard of the auto-configured DefaultKafkaProducerFactory. */
    public static class Guard {

        /** Whether every producer of the factory is wrapped in a CircuitBreakerProducer. */
        private boolean enabled = true;

        /** ENFORCE refuses sends while the breaker is open; OBSERVE never refuses one, and counts what it would refuse. */
        private Mode mode = Mode.ENFORCE;

        /** Name of the breaker every producer of the factory shares. */
        private String breakerName = "kafka-template";

        /**
         * A send() that blocks longer than this, with no record sent before it acknowledged meanwhile, counts as a
         * failure (the wrapper's default: 1s).
         */
        private Duration sendBlockThreshold;

        /**
         * A record unanswered longer than this, with no record sent before it acknowledged meanwhile, counts as a
         * failure: a backlog the cluster works through does not (the wrapper's default: 2s).
         */
        private Duration inFlightThreshold;

        public boolean isEnabled() {
            return enabled;
        }

        public void setEnabled(boolean enabled) {
            this.enabled = enabled;
        }

        public Mode getMode() {
            return mode;
        }

        public void setMode(Mode mode) {
            this.mode = mode;
        }

        public String getBreakerName() {
            return breakerName;
        }

        public void setBreakerName(String breakerName) {
            this.breakerName = breakerName;
        }

        public Duration getSendBlockThreshold() {
            return sendBlockThreshold;
        }

        public void setSendBlockThreshold(Duration sendBlockThreshold) {
            this.sendBlockThreshold = sendBlockThreshold;
        }

        public Duration getInFlightThreshold() {
            return inFlightThreshold;
        }

        public void setInFlightThreshold(Duration inFlightThreshold) {
            this.inFlightThreshold = inFlightThreshold;
        }
    }
}
