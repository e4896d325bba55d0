package io.breakwater.metrics;

import io.breakwater.eventbus.EventBus;
import io.breakwater.eventbus.SpillStatus;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.binder.BaseUnits;
import io.micrometer.core.instrument.binder.MeterBinder;
import java.util.List;
import java.util.Objects;
import java.util.function.ToDoubleFunction;

/**
 * Micrometer meters for the spills of an {@link EventBus} (its own and each stream's), tagged {@code store}
 * with the store's {@code describe()} ({@code sqlite:/path}, or a JDBC URL without credentials and the table).
 * A bus without a spill gets none. Bind it next to {@link BreakerMetrics}, which covers the bus's breakers:
 *
 * <pre>{@code
 * BreakerMetrics.of(List.of(bus.registry()), List.of(bus.transportBreaker())).bindTo(meterRegistry);
 * SpillMetrics.of(bus).bindTo(meterRegistry);
 * }</pre>
 *
 * <table>
 *   <caption>Meters (Prometheus names in brackets)</caption>
 *   <tr><td>{@code breakwater.spill.pending} ({@code breakwater_spill_pending})</td><td>gauge: events waiting to be replayed,
 *       and those held in memory by streams cutting over to direct sends</td></tr>
 *   <tr><td>{@code breakwater.spill.pending.bytes} ({@code breakwater_spill_pending_bytes})</td><td>gauge: their size</td></tr>
 *   <tr><td>{@code breakwater.spill.replay.lag} ({@code breakwater_spill_replay_lag_seconds})</td><td>gauge: how long the
 *       oldest pending event has waited; 0 when none waits</td></tr>
 *   <tr><td>{@code breakwater.spill.appended} ({@code breakwater_spill_appended_total})</td><td>counter: events appended</td></tr>
 *   <tr><td>{@code breakwater.spill.replayed} ({@code breakwater_spill_replayed_total})</td><td>counter: events replayed
 *       (acknowledged, then removed)</td></tr>
 *   <tr><td>{@code breakwater.spill.append.failures} ({@code breakwater_spill_append_failures_total})</td><td>counter: events
 *       whose append failed (their publishes failed)</td></tr>
 *   <tr><td>{@code breakwater.spill.refused.full} ({@code breakwater_spill_refused_full_total})</td><td>counter: publishes
 *       refused at once because their event would not fit</td></tr>
 *   <tr><td>{@code breakwater.spill.full} ({@code breakwater_spill_full})</td><td>gauge: 1 while the spill refuses events for
 *       room (the bus's health is then down), else 0</td></tr>
 *   <tr><td>{@code breakwater.spill.dropped} ({@code breakwater_spill_dropped_total})</td><td>counter: spilled events that
 *       can never be sent, removed unsent</td></tr>
 *   <tr><td>{@code breakwater.spill.held} ({@code breakwater_spill_held})</td><td>gauge: of the pending events, those held
 *       in memory by streams cutting over from the spill to direct sends under a steady load</td></tr>
 *   <tr><td>{@code breakwater.spill.cutovers} ({@code breakwater_spill_cutovers_total})</td><td>counter: cut-overs
 *       begun</td></tr>
 *   <tr><td>{@code breakwater.spill.cutovers.given.up} ({@code breakwater_spill_cutovers_given_up_total})</td><td>counter:
 *       cut-overs given up (their held events went to the spill; the stream tries again later)</td></tr>
 * </table>
 * Counters count from the bus's start. Once the bus is closed (its stores with it) every meter keeps the last
 * values read before (a closed bus tells nothing more). The meters hold the bus; remove them from the meter
 * registry to let it go.
 */
public final class SpillMetrics implements MeterBinder {

    // One reading per store, shared by every registry this binder is bound to.
    private final List<StoreReading> stores;

    private SpillMetrics(EventBus bus) {
        Objects.requireNonNull(bus, "bus");
        this.stores = bus.spillStatus().stream().map(status -> new StoreReading(bus, status)).toList();
    }

    /**
     * Meters for every spill of {@code bus}.
     *
     * @throws IllegalStateException when the bus is closed
     */
    public static SpillMetrics of(EventBus bus) {
        return new SpillMetrics(bus);
    }

    @Override
    public void bindTo(MeterRegistry meters) {
        Objects.requireNonNull(meters, "meters");
        for (StoreReading store : stores) {
            Tags tags = Tags.of("store", store.store);
            gauge(meters, "breakwater.spill.pending", store, tags, null,
                    "events waiting in the spill to be replayed, and those held by streams cutting over to direct sends",
                    s -> s.read().pending());
            gauge(meters, "breakwater.spill.pending.bytes", store, tags, BaseUnits.BYTES, "size of the events waiting in the spill",
                    s -> s.read().pendingBytes());
            gauge(meters, "breakwater.spill.replay.lag", store, tags, "seconds",
                    "how long the oldest event waiting in the spill has waited; 0 when none waits",
                    s -> s.read().replayLagMillis() / 1000.0);
            counter(meters, "breakwater.spill.appended", store, tags, "events appended to the spill",
                    s -> s.read().appended());
            counter(meters, "breakwater.spill.replayed", store, tags, "events replayed from the spill (acknowledged, then removed)",
                    s -> s.read().replayed());
            counter(meters, "breakwater.spill.append.failures", store, tags,
                    "events whose append to the spill failed (their publishes failed)", s -> s.read().appendFailures());
            gauge(meters, "breakwater.spill.full", store, tags, null,
                    "1 while the spill refuses events for room (one did not fit, and it has been 90 % full since), else 0",
                    s -> s.read().full() ? 1 : 0);
            counter(meters, "breakwater.spill.refused.full", store, tags,
                    "publishes refused at once because their event would not fit in the spill", s -> s.read().refusedFull());
            counter(meters, "breakwater.spill.dropped", store, tags,
                    "spilled events that can never be sent (too large, an invalid record), removed unsent",
                    s -> s.read().dropped());
            gauge(meters, "breakwater.spill.held", store, tags, null,
                    "pending events held in memory by streams cutting over from the spill to direct sends",
                    s -> s.read().held());
            counter(meters, "breakwater.spill.cutovers", store, tags,
                    "cut-overs from the spill to direct sends begun under a steady load", s -> s.read().cutOvers());
            counter(meters, "breakwater.spill.cutovers.given.up", store, tags,
                    "cut-overs given up: their held events went to the spill, and the stream tries again later",
                    s -> s.read().cutOversGivenUp());
        }
    }

    // The gauges hold their reading strongly (nothing else keeps it, and Micrometer would otherwise let it go);
    // the counters, which Micrometer holds weakly, share it with the gauges.
    private static void gauge(MeterRegistry meters, String name, StoreReading store, Tags tags, String unit, String description,
                              ToDoubleFunction<StoreReading> value) {
        Gauge.builder(name, store, value).tags(tags).baseUnit(unit).description(description).strongReference(true)
                .register(meters);
    }

    private static void counter(MeterRegistry meters, String name, StoreReading store, Tags tags, String description,
                                ToDoubleFunction<StoreReading> value) {
        FunctionCounter.builder(name, store, value).tags(tags).description(description).register(meters);
    }

    /**
     * One store of the bus, read through {@link EventBus#spillStatus()}. A read that fails (the bus and its
     * stores are closed) answers the last status read, so a scrape never fails and counters never go back.
     */
    private static final class StoreReading {
        private final EventBus bus;
        private final String store;
        // The last status read; meters read from any thread, each read replaces it whole.
        private volatile SpillStatus last;

        StoreReading(EventBus bus, SpillStatus first) {
            this.bus = bus;
            this.store = first.store();
            this.last = first;
        }

        SpillStatus read() {
            try {
                for (SpillStatus status : bus.spillStatus()) {
                    if (status.store().equals(store)) {
                        last = status;
                        break;
                    }
                }
            } catch (RuntimeException closed) {
                // The bus is closed: its stores answer nothing more. Keep the last reading.
            }
            return last;
        }
    }
}
