package io.breakwater.metrics;

import io.breakwater.consumer.ConsumerStats;
import io.breakwater.consumer.GatedConsumer;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.binder.MeterBinder;
import java.util.List;
import java.util.Objects;
import java.util.function.ToDoubleFunction;

/**
 * Micrometer meters for {@link GatedConsumer}s, tagged {@code consumer} (its name) and {@code breaker}, read from
 * {@link GatedConsumer#stats()}. Bind it next to {@link BreakerMetrics}, which covers the breakers themselves:
 *
 * <pre>{@code
 * ConsumerMetrics.of(gated).bindTo(meterRegistry);
 * }</pre>
 *
 * <table>
 *   <caption>Meters (Prometheus names in brackets)</caption>
 *   <tr><td>{@code breakwater.consumer.paused} ({@code breakwater_consumer_paused})</td><td>gauge: 1 while the consumer
 *       holds its partitions paused, else 0</td></tr>
 *   <tr><td>{@code breakwater.consumer.paused.partitions} ({@code breakwater_consumer_paused_partitions})</td><td>gauge:
 *       partitions paused by the breaker</td></tr>
 *   <tr><td>{@code breakwater.consumer.paused.time} ({@code breakwater_consumer_paused_time_seconds_total})</td><td>counter:
 *       seconds spent paused, the current pause included</td></tr>
 *   <tr><td>{@code breakwater.consumer.pauses} ({@code breakwater_consumer_pauses_total})</td><td>counter: pauses</td></tr>
 *   <tr><td>{@code breakwater.consumer.records{kind}} ({@code breakwater_consumer_records_total})</td><td>counter by kind:
 *       {@code handled}, {@code redelivered} (fetched, not handled, sought back), {@code failed} (taken by the
 *       failed-record handler), {@code dropped}</td></tr>
 *   <tr><td>{@code breakwater.consumer.handler.failures} ({@code breakwater_consumer_handler_failures_total})</td><td>counter:
 *       handler calls failed with an error that counts</td></tr>
 * </table>
 * A closed consumer keeps its last figures. The meters hold the consumers; remove them from the meter registry to let
 * them go. Thread-safe: each meter reads {@link GatedConsumer#stats()} on the thread that scrapes, never touching the
 * Kafka consumer.
 */
public final class ConsumerMetrics implements MeterBinder {

    /** Kinds of the {@code breakwater.consumer.records} counter. */
    public static final List<String> RECORD_KINDS = List.of("handled", "redelivered", "failed", "dropped");

    private final List<GatedConsumer<?, ?>> consumers;

    private ConsumerMetrics(List<GatedConsumer<?, ?>> consumers) {
        this.consumers = List.copyOf(consumers);
    }

    /**
     * Meters for {@code consumers}.
     *
     * @throws NullPointerException naming {@code consumers}, or the index of a null element
     */
    public static ConsumerMetrics of(GatedConsumer<?, ?>... consumers) {
        Objects.requireNonNull(consumers, "consumers");
        for (int i = 0; i < consumers.length; i++) {
            Objects.requireNonNull(consumers[i], "consumers[" + i + "]");
        }
        return new ConsumerMetrics(List.of(consumers));
    }

    @Override
    public void bindTo(MeterRegistry meters) {
        Objects.requireNonNull(meters, "meters");
        for (GatedConsumer<?, ?> consumer : consumers) {
            Tags tags = Tags.of("consumer", consumer.name(), "breaker", consumer.breaker().name());
            gauge(meters, "breakwater.consumer.paused", consumer, tags, "1 while the consumer holds its partitions paused",
                    s -> s.paused() ? 1 : 0);
            gauge(meters, "breakwater.consumer.paused.partitions", consumer, tags, "partitions paused because the breaker refuses",
                    ConsumerStats::pausedPartitions);
            FunctionCounter.builder("breakwater.consumer.paused.time", consumer, c -> c.stats().timePaused().toNanos() / 1e9)
                    .tags(tags).baseUnit("seconds").description("time spent paused, the current pause included")
                    .register(meters);
            counter(meters, "breakwater.consumer.pauses", consumer, tags, "pauses", ConsumerStats::pauses);
            counter(meters, "breakwater.consumer.handler.failures", consumer, tags,
                    "handler calls failed with an error that counts against the breaker", ConsumerStats::handlerFailures);
            String records = "breakwater.consumer.records";
            String what = "records by what became of them";
            counter(meters, records, consumer, tags.and("kind", "handled"), what, ConsumerStats::recordsHandled);
            counter(meters, records, consumer, tags.and("kind", "redelivered"), what, ConsumerStats::recordsRedelivered);
            counter(meters, records, consumer, tags.and("kind", "failed"), what, ConsumerStats::recordsFailed);
            counter(meters, records, consumer, tags.and("kind", "dropped"), what, ConsumerStats::recordsDropped);
        }
    }

    private static void gauge(MeterRegistry meters, String name, GatedConsumer<?, ?> consumer, Tags tags, String description,
                              ToDoubleFunction<ConsumerStats> value) {
        Gauge.builder(name, consumer, c -> value.applyAsDouble(c.stats())).tags(tags).description(description)
                .strongReference(true).register(meters);
    }

    private static void counter(MeterRegistry meters, String name, GatedConsumer<?, ?> consumer, Tags tags,
                                String description, ToDoubleFunction<ConsumerStats> value) {
        FunctionCounter.builder(name, consumer, c -> value.applyAsDouble(c.stats())).tags(tags).description(description)
                .register(meters);
    }
}
