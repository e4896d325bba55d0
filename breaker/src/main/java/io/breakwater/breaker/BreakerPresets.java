package io.breakwater.breaker;

import java.time.Duration;

/**
 * Named configs for common dependencies, with the values of the original circuit-breaker guide. Each
 * takes the breaker's name; change any value with {@code CircuitBreakerConfig.from(preset)}.
 *
 * <table>
 *   <caption>Presets</caption>
 *   <tr><th>preset</th><th>failures</th><th>reset</th><th>window</th><th>failure rate</th></tr>
 *   <tr><td>kafka (transport, channel)</td><td>5</td><td>30 s</td><td>—</td><td>—</td></tr>
 *   <tr><td>postgres</td><td>5</td><td>30 s</td><td>—</td><td>—</td></tr>
 *   <tr><td>postgres, multi-worker</td><td>10</td><td>60 s</td><td>20</td><td>0.5</td></tr>
 *   <tr><td>redis</td><td>3</td><td>15 s</td><td>—</td><td>—</td></tr>
 *   <tr><td>broker API</td><td>5</td><td>60 s</td><td>20</td><td>0.5</td></tr>
 *   <tr><td>websocket</td><td>10</td><td>30 s</td><td>50</td><td>0.3</td></tr>
 *   <tr><td>connection recovery</td><td>5</td><td>30 s</td><td>10</td><td>0.5</td></tr>
 * </table>
 */
public final class BreakerPresets {

    /** The name of the transport-wide breaker of a Redpanda/Kafka transport. */
    public static final String KAFKA_TRANSPORT_NAME = "redpanda_transport";
    /** Channel breakers are named this prefix plus the stream name. */
    public static final String KAFKA_CHANNEL_PREFIX = "eventbus-";

    private BreakerPresets() {
    }

    /** Kafka/Redpanda: 5 failures, 30 s. */
    public static CircuitBreakerConfig kafka(String name) {
        return simple(name, 5, Duration.ofSeconds(30));
    }

    /** The transport-wide Kafka breaker, {@value #KAFKA_TRANSPORT_NAME}: 5 failures, 30 s. */
    public static CircuitBreakerConfig kafkaTransport() {
        return kafka(KAFKA_TRANSPORT_NAME);
    }

    /** The breaker of one EventBus channel, {@code eventbus-{stream}}: 5 failures, 30 s. */
    public static CircuitBreakerConfig kafkaChannel(String stream) {
        return kafka(KAFKA_CHANNEL_PREFIX + stream);
    }

    /** PostgreSQL: 5 failures, 30 s. */
    public static CircuitBreakerConfig postgres(String name) {
        return simple(name, 5, Duration.ofSeconds(30));
    }

    /** PostgreSQL with many workers: 10 failures, 60 s, window 20 at 50 %. */
    public static CircuitBreakerConfig postgresMultiWorker(String name) {
        return windowed(name, 10, Duration.ofSeconds(60), 20, 0.5);
    }

    /** Redis: 3 failures, 15 s. */
    public static CircuitBreakerConfig redis(String name) {
        return simple(name, 3, Duration.ofSeconds(15));
    }

    /** An external broker's API: 5 failures, 60 s, window 20 at 50 %. */
    public static CircuitBreakerConfig brokerApi(String name) {
        return windowed(name, 5, Duration.ofSeconds(60), 20, 0.5);
    }

    /** A websocket connection: 10 failures, 30 s, window 50 at 30 %. */
    public static CircuitBreakerConfig websocket(String name) {
        return windowed(name, 10, Duration.ofSeconds(30), 50, 0.3);
    }

    /** Connection recovery: 5 failures, 30 s, window 10 at 50 %. */
    public static CircuitBreakerConfig connectionRecovery(String name) {
        return windowed(name, 5, Duration.ofSeconds(30), 10, 0.5);
    }

    private static CircuitBreakerConfig simple(String name, int failures, Duration reset) {
        return CircuitBreakerConfig.builder(name).failureThreshold(failures).resetTimeout(reset).build();
    }

    private static CircuitBreakerConfig windowed(String name, int failures, Duration reset, int window, double rate) {
        return CircuitBreakerConfig.builder(name).failureThreshold(failures).resetTimeout(reset)
                .windowSize(window).failureRateThreshold(rate).build();
    }
}
