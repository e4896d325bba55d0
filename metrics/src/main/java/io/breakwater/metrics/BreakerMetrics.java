package io.breakwater.metrics;

import io.breakwater.breaker.CallStats;
import io.breakwater.breaker.CircuitBreaker;
import io.breakwater.breaker.CircuitBreakerRegistry;
import io.breakwater.breaker.CircuitBreakerState;
import io.breakwater.breaker.StateTransition;
import io.breakwater.breaker.Subscription;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.FunctionTimer;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.binder.MeterBinder;
import java.lang.ref.WeakReference;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.WeakHashMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.ToDoubleFunction;
import java.util.function.ToLongFunction;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Micrometer meters for breakers, all tagged {@code name}. Follows registries: breakers created later are
 * bound too.
 *
 * <table>
 *   <caption>Meters</caption>
 *   <tr><td>{@code breaker.state{state}}</td><td>gauge per state, 1 for the current one</td></tr>
 *   <tr><td>{@code breaker.calls{kind}}</td><td>timer by kind: successful, failed, slow, rejected, ignored</td></tr>
 *   <tr><td>{@code breaker.transitions{from,to}}</td><td>counter</td></tr>
 *   <tr><td>{@code breaker.failure.rate}, {@code breaker.slow.call.rate}</td><td>gauges, the window's rates</td></tr>
 *   <tr><td>{@code circuit_breaker_state}</td><td>gauge: 0 CLOSED, 1 OPEN, 2 HALF_OPEN, 3 FORCED_OPEN, 4 DISABLED</td></tr>
 *   <tr><td>{@code circuit_breaker_failures}</td><td>counter of failed calls ({@code _total} in Prometheus)</td></tr>
 *   <tr><td>{@code circuit_breaker_trips}</td><td>counter of CLOSED to OPEN transitions ({@code _total} in Prometheus)</td></tr>
 *   <tr><td>{@code breakwater.breakers{state}}</td><td>gauge: how many of the followed breakers are in each state</td></tr>
 * </table>
 * The three {@code circuit_breaker_*} meters keep the names of the original guide, so its dashboards keep working.
 *
 * <p><b>At most {@value #DEFAULT_MAX_BREAKERS} breakers get meters of their own</b> (about 20 each), unless
 * {@link #withMaxBreakers(int)} says otherwise: an EventBus of 100,000 streams would otherwise register two million
 * series. Breakers past the limit get none, with one WARN per meter registry; {@code breakwater.breakers{state}} still
 * counts them all (read at most every 100 ms).
 */
public final class BreakerMetrics implements MeterBinder, AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(BreakerMetrics.class);

    /** How many breakers get meters of their own unless {@link #withMaxBreakers(int)} says otherwise. */
    public static final int DEFAULT_MAX_BREAKERS = 1_000;
    private static final long COUNTS_FRESH_NANOS = 100_000_000L;

    /** Kinds of the {@code breaker.calls} timer. */
    public static final List<String> CALL_KINDS = List.of("successful", "failed", "slow", "rejected", "ignored");

    private final List<CircuitBreakerRegistry> registries;
    private final List<CircuitBreaker> breakers;
    // Each breaker is bound once per meter registry (a breaker may be in a registry and given by hand).
    private final Set<Binding> bound = ConcurrentHashMap.newKeySet();
    private final List<Subscription> subscriptions = new CopyOnWriteArrayList<>();
    private final int maxBreakers;
    // Per meter registry, the breakers given meters of their own by this binder; and whether it was told of the limit.
    private final Map<MeterRegistry, AtomicInteger> metered = new ConcurrentHashMap<>();
    private final Set<MeterRegistry> warned = ConcurrentHashMap.newKeySet();
    // The followed breakers by state (CircuitBreakerState's order), and when they were counted: one pass per scrape.
    private volatile long[] counts;
    private volatile long countedAt;

    private BreakerMetrics(List<CircuitBreakerRegistry> registries, List<CircuitBreaker> breakers, int maxBreakers) {
        this.registries = List.copyOf(registries);
        this.breakers = List.copyOf(breakers);
        this.maxBreakers = maxBreakers;
    }

    /** Meters for every breaker of {@code registries}, now and later. */
    public static BreakerMetrics of(CircuitBreakerRegistry... registries) {
        return new BreakerMetrics(List.of(registries), List.of(), DEFAULT_MAX_BREAKERS);
    }

    /** Meters for every breaker of {@code registries}, now and later, and for {@code breakers}. */
    public static BreakerMetrics of(List<CircuitBreakerRegistry> registries, List<CircuitBreaker> breakers) {
        return new BreakerMetrics(registries, breakers, DEFAULT_MAX_BREAKERS);
    }

    /**
     * The same breakers, of which at most {@code maxBreakers} (per meter registry, first come) get meters of their own;
     * 0: none, only the counts by state.
     *
     * @throws IllegalArgumentException when {@code maxBreakers} is negative
     */
    public BreakerMetrics withMaxBreakers(int maxBreakers) {
        if (maxBreakers < 0) {
            throw new IllegalArgumentException("maxBreakers must be >= 0, but was " + maxBreakers);
        }
        return new BreakerMetrics(registries, breakers, maxBreakers);
    }

    /** How many breakers get meters of their own, per meter registry. */
    public int maxBreakers() {
        return maxBreakers;
    }

    @Override
    public void bindTo(MeterRegistry meterRegistry) {
        Objects.requireNonNull(meterRegistry, "meterRegistry");
        for (CircuitBreakerState state : CircuitBreakerState.values()) {
            Gauge.builder("breakwater.breakers", this, m -> m.count(state)).tag("state", state.name())
                    .description("how many breakers are in the state, of those the binder follows").register(meterRegistry);
        }
        for (CircuitBreaker breaker : breakers) {
            bind(meterRegistry, breaker);
        }
        for (CircuitBreakerRegistry registry : registries) {
            subscriptions.add(registry.forEachBreaker(breaker -> bind(meterRegistry, breaker)));
        }
    }

    private record Binding(MeterRegistry meters, CircuitBreaker breaker) {
    }

    // Per meter registry, which breaker each name's meters read, across every BreakerMetrics of the JVM; weakly held.
    private static final Map<MeterRegistry, Map<String, WeakReference<CircuitBreaker>>> OWNERS =
            Collections.synchronizedMap(new WeakHashMap<>());

    /** The names of the meters a breaker has. */
    private static final Set<String> METER_NAMES = Set.of("breaker.state", "breaker.calls", "breaker.transitions",
            "breaker.failure.rate", "breaker.slow.call.rate", "breaker.store.errors", "circuit_breaker_state",
            "circuit_breaker_failures", "circuit_breaker_trips");

    private static Map<String, WeakReference<CircuitBreaker>> owners(MeterRegistry meters) {
        return OWNERS.computeIfAbsent(meters, m -> new ConcurrentHashMap<>());
    }

    /**
     * Under {@code breaker}'s name in {@code meters}: whether meters were registered there by a binder of this JVM
     * ({@code known}, though the breaker they read may be gone), and that breaker if it is still alive. The breaker
     * becomes the owner if none is alive. A map look-up: a scan of the registry's meters per breaker made binding
     * 20,000 breakers take minutes.
     */
    private record Owner(boolean known, CircuitBreaker breaker) {
    }

    private static Owner owner(MeterRegistry meters, CircuitBreaker breaker) {
        synchronized (OWNERS) {
            Map<String, WeakReference<CircuitBreaker>> names = owners(meters);
            WeakReference<CircuitBreaker> held = names.get(breaker.name());
            CircuitBreaker owner = held == null ? null : held.get();
            if (owner == null) {
                names.put(breaker.name(), new WeakReference<>(breaker));
            }
            return new Owner(held != null, owner);
        }
    }

    /** How many of the followed breakers are in {@code state}, as counted at most {@value #COUNTS_FRESH_NANOS} ns ago. */
    private long count(CircuitBreakerState state) {
        long[] c = counts;
        long now = System.nanoTime();
        if (c == null || now - countedAt > COUNTS_FRESH_NANOS) {
            c = new long[CircuitBreakerState.values().length];
            Set<CircuitBreaker> seen = Collections.newSetFromMap(new java.util.IdentityHashMap<>());
            for (CircuitBreakerRegistry registry : registries) {
                seen.addAll(registry.all());
            }
            seen.addAll(breakers);
            for (CircuitBreaker breaker : seen) {
                c[current(breaker).ordinal()]++;
            }
            counts = c;
            countedAt = now;
        }
        return c[state.ordinal()];
    }

    private void bind(MeterRegistry meters, CircuitBreaker breaker) {
        if (!bound.add(new Binding(meters, breaker))) {
            return;
        }
        AtomicInteger given = metered.computeIfAbsent(meters, m -> new AtomicInteger());
        if (given.incrementAndGet() > maxBreakers) {
            given.decrementAndGet();
            if (warned.add(meters)) {
                LOG.warn("Breaker '{}' and any later get no meters of their own: {} breakers have them, the most this binder "
                        + "gives (maxBreakers); breakwater.breakers{{state}} counts them all. Raise it with "
                        + "BreakerMetrics.withMaxBreakers(n) (breakwater.metrics.max-breakers in Spring Boot)",
                        breaker.name(), maxBreakers);
            }
            return;
        }
        Tags tags = Tags.of("name", breaker.name());
        Owner owner = owner(meters, breaker);
        if (owner.breaker() == breaker) {
            given.decrementAndGet();
            return;   // bound to this meter registry by another BreakerMetrics (a breaker given to two): once is enough
        }
        if (owner.known()) {
            // Micrometer would hand back the meters of the first, which read the first breaker: this one's would not
            // show. The newest takes the name (a breaker removed from its registry and made again is the usual case).
            LOG.warn("Breaker '{}': meters of that name were registered for another breaker (a breaker removed and made "
                    + "again, or two breakers of one name, such as two transports left with the default name); they read "
                    + "this one from now on: give each breaker a name of its own", breaker.name());
            List.copyOf(meters.getMeters()).stream()
                    .filter(m -> breaker.name().equals(m.getId().getTag("name")) && METER_NAMES.contains(m.getId().getName()))
                    .forEach(meters::remove);
            owners(meters).put(breaker.name(), new WeakReference<>(breaker));
        }
        for (CircuitBreakerState state : CircuitBreakerState.values()) {
            Gauge.builder("breaker.state", breaker, b -> current(b) == state ? 1 : 0)
                    .tags(tags).tag("state", state.name())
                    .description("1 for the breaker's current state, 0 for the others")
                    .register(meters);
        }
        timer(meters, breaker, tags, "successful", CallStats::successful, CallStats::successfulNanos);
        timer(meters, breaker, tags, "failed", CallStats::failed, CallStats::failedNanos);
        timer(meters, breaker, tags, "slow", CallStats::slow, s -> 0L);
        timer(meters, breaker, tags, "rejected", CallStats::rejected, s -> 0L);
        timer(meters, breaker, tags, "ignored", CallStats::ignored, s -> 0L);
        gauge(meters, "breaker.failure.rate", breaker, tags, b -> b.snapshot().failureRate(), "failure rate of the window");
        gauge(meters, "breaker.slow.call.rate", breaker, tags, b -> b.snapshot().slowCallRate(), "slow-call rate of the window");
        gauge(meters, "circuit_breaker_state", breaker, tags, b -> current(b).gaugeValue(),
                "0 CLOSED, 1 OPEN, 2 HALF_OPEN, 3 FORCED_OPEN, 4 DISABLED");
        FunctionCounter.builder("circuit_breaker_failures", breaker, b -> b.callStats().failed())
                .tags(tags).description("failed calls").register(meters);
        FunctionCounter.builder("breaker.store.errors", breaker, b -> b.storeErrors())
                .tags(tags).description("failures of the breaker's state store").register(meters);
        Counter trips = Counter.builder("circuit_breaker_trips").tags(tags)
                .description("transitions from CLOSED to OPEN").register(meters);
        subscriptions.add(breaker.onTransition(t -> {
            transitions(meters, tags, t).increment();
            if (t.from() == CircuitBreakerState.CLOSED && t.to() == CircuitBreakerState.OPEN) {
                trips.increment();
            }
        }));
        // The usual transitions exist from the start, so rate() and increase() see their first change.
        transitions(meters, tags, CircuitBreakerState.CLOSED, CircuitBreakerState.OPEN);
        transitions(meters, tags, CircuitBreakerState.OPEN, CircuitBreakerState.HALF_OPEN);
        transitions(meters, tags, CircuitBreakerState.HALF_OPEN, CircuitBreakerState.CLOSED);
        transitions(meters, tags, CircuitBreakerState.HALF_OPEN, CircuitBreakerState.OPEN);
    }

    // A breaker nothing calls (its traffic went elsewhere while it was open) must still be seen leaving OPEN once its reset
    // timeout passed, as the health reports see it: a scrape applies pending timeouts, as a call would.
    private static CircuitBreakerState current(CircuitBreaker breaker) {
        breaker.checkTimeouts();
        return breaker.state();
    }

    private static Counter transitions(MeterRegistry meters, Tags tags, StateTransition t) {
        return transitions(meters, tags, t.from(), t.to());
    }

    private static Counter transitions(MeterRegistry meters, Tags tags, CircuitBreakerState from, CircuitBreakerState to) {
        return Counter.builder("breaker.transitions").tags(tags).tag("from", from.name()).tag("to", to.name())
                .description("state transitions").register(meters);
    }

    private static void timer(MeterRegistry meters, CircuitBreaker breaker, Tags tags, String kind,
                              ToLongFunction<CallStats> count, ToLongFunction<CallStats> nanos) {
        FunctionTimer.builder("breaker.calls", breaker, b -> count.applyAsLong(b.callStats()),
                        b -> nanos.applyAsLong(b.callStats()), TimeUnit.NANOSECONDS)
                .tags(tags).tag("kind", kind)
                .description("calls by outcome; time is the total of the calls that reported a duration")
                .register(meters);
    }

    private static void gauge(MeterRegistry meters, String name, CircuitBreaker breaker, Tags tags,
                              ToDoubleFunction<CircuitBreaker> value, String description) {
        Gauge.builder(name, breaker, value).tags(tags).description(description).register(meters);
    }

    /** Stops following the registries; meters already registered stay. */
    @Override
    public void close() {
        subscriptions.forEach(Subscription::close);
        subscriptions.clear();
    }
}
