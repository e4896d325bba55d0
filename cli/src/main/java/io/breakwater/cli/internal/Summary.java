package io.breakwater.cli.internal;

import io.breakwater.breaker.CircuitBreakerState;
import java.io.PrintWriter;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Collectors;

/** The end of the demo: what each path did across the faults, as a table and as one JSON line. */
final class Summary {

    private final Demo demo;
    private final Demo.Options options;
    private final boolean faults;
    private final Map<String, Object> json = new LinkedHashMap<>();

    Summary(Demo demo, Demo.Options options, boolean faults) {
        this.demo = demo;
        this.options = options;
        this.faults = faults;
    }

    void print(PrintWriter out) {
        out.println();
        out.println("Summary" + (demo.stop.early() ? " (stopped early by Ctrl-C: the read-back of the topic is skipped)" : "")
                + ": " + (demo.stop.early() ? demo.elapsed(demo.stop.ranNanos()).trim() + " of " : "")
                + options.duration().toSeconds() + " s, " + options.rate() + " events/s on each path from "
                + options.threads() + " threads"
                + (faults ? "" : " (an external cluster: no faults injected)"));
        out.println("The plain KafkaProducer runs with max.block.ms=10s and delivery.timeout.ms=30s (Kafka's defaults, 60s and 120s, scaled down to fit the demo).");
        out.println();
        row(out, "", "EventBus", "KafkaProducer+interceptor", "plain KafkaProducer");
        if (faults) {
            Demo.Fault freeze = fault(0);
            Demo.Fault resume = fault(1);
            Demo.Fault kill = fault(2);
            Demo.Fault restart = fault(3);
            faultRows(out, "freeze", freeze, resume, kill);
            faultRows(out, "kill", kill, restart, null);
        }
        List<PathStats> paths = List.of(demo.bus, demo.intercepted, demo.plain);
        row(out, "call time p50 / p99 / max", paths.stream().map(Summary::callTimes).toArray(String[]::new));
        row(out, "seconds callers spent blocked", seconds(demo.bus.blockedNanos.sum()),
                seconds(demo.intercepted.blockedNanos.sum()), seconds(demo.plain.blockedNanos.sum()));
        row(out, "published", n(demo.bus.published.get()), n(demo.intercepted.published.get()), n(demo.plain.published.get()));
        row(out, "acked", n(demo.bus.acked.get()), n(demo.intercepted.acked.get()), n(demo.plain.acked.get()));
        row(out, "spilled", n(demo.bus.spilled.get()), "no spill", "no spill");
        row(out, "replayed", demo.bus.replayed < 0 ? "-" : n(demo.bus.replayed), "-", "-");
        row(out, "failed (rejected at once)", demo.bus.failed.get() + " (" + demo.bus.rejected.get() + ")",
                n(demo.intercepted.failed.get()), n(demo.plain.failed.get()));
        row(out, "lost", n(demo.bus.lost()), n(demo.intercepted.lost()), n(demo.plain.lost()));
        row(out, "not on the topic (by event id)", demo.bus.missingOnTopic < 0 ? "not checked" : n(demo.bus.missingOnTopic),
                "not checked", "not checked");
        out.println();
        out.println("Call time: the time inside publishStream() or send(), not waiting for the answer. EventBus: spilled = durable");
        out.println("in its SQLite spill, then replayed to the topic in order once the breakers closed; lost = never answered, or");
        out.println("spilled and not replayed by the end (the spill is deleted then); the topic is read back at the end.");
        out.println("The floor of this machine, at the same pace: a call that only puts an object on a queue and wakes the");
        out.println("thread that takes it (the least a call that never blocks can do) took " + callTimes(demo.floor) + ".");
        for (PathStats p : paths) {
            Map<String, Object> path = new LinkedHashMap<>();
            path.put("published", p.published.get());
            path.put("acked", p.acked.get());
            path.put("spilled", p.spilled.get());
            path.put("replayed", p.replayed < 0 ? null : p.replayed);
            path.put("failed", p.failed.get());
            path.put("rejected", p.rejected.get());
            path.put("lost", p.lost());
            path.put("missingOnTopic", p.missingOnTopic < 0 ? null : p.missingOnTopic);
            path.put("blockedSeconds", p.blockedNanos.sum() / 1e9);
            path.put("callP50Micros", micros(p, 0.50));
            path.put("callP99Micros", micros(p, 0.99));
            path.put("callMaxMicros", p.published.get() == 0 ? null : p.longestBlockNanos.get() / 1_000.0);
            json.put(key(p), path);
        }
        json.put("stoppedEarly", demo.stop.early());
        json.put("floorCallP50Micros", micros(demo.floor, 0.50));
        json.put("floorCallP99Micros", micros(demo.floor, 0.99));
        out.println();
        out.println("summary-json: " + toJson(json));
    }

    private Demo.Fault fault(int index) {
        return demo.faults.size() > index ? demo.faults.get(index) : null;
    }

    /**
     * The rows of one fault and its recovery; what happened from {@code next} on (the next fault) is that one's, so
     * each window ends there: a breaker that closed only after the next fault's recovery did not close after this one.
     */
    private void faultRows(PrintWriter out, String name, Demo.Fault fault, Demo.Fault recovery, Demo.Fault next) {
        if (fault == null) {
            return;
        }
        long until = next == null ? Long.MAX_VALUE : next.atNanos();
        Double busOpen = secondsToOpen(List.of(Demo.TRANSPORT, Demo.CHANNEL), fault.atNanos(), until);
        Double interceptorOpen = secondsToOpen(List.of(Demo.INTERCEPTED), fault.atNanos(), until);
        long plainFailure = demo.plain.firstFailureAfter(fault.atNanos());
        plainFailure = plainFailure >= until ? -1 : plainFailure;
        Double plainNoticed = plainFailure < 0 ? null : (plainFailure - fault.atNanos()) / 1e9;
        row(out, "time to open after " + name, s(busOpen), s(interceptorOpen),
                plainNoticed == null ? "no error within the run" : "first error after " + s(plainNoticed));
        json.put("eventBusTimeToOpenAfter_" + name, busOpen);
        json.put("interceptorTimeToOpenAfter_" + name, interceptorOpen);
        json.put("plainFirstErrorAfter_" + name, plainNoticed);
        if (recovery != null) {
            Double busClose = secondsToClose(List.of(Demo.TRANSPORT, Demo.CHANNEL), recovery.atNanos(), until);
            Double interceptorClose = secondsToClose(List.of(Demo.INTERCEPTED), recovery.atNanos(), until);
            row(out, "time to close after " + (name.equals("freeze") ? "resume" : "restart"), s(busClose), s(interceptorClose), "-");
            json.put("eventBusTimeToCloseAfter_" + name, busClose);
            json.put("interceptorTimeToCloseAfter_" + name, interceptorClose);
        }
    }

    /** Seconds from {@code sinceNanos} to the first of {@code breakers} opening before {@code untilNanos}, or null. */
    private Double secondsToOpen(List<String> breakers, long sinceNanos, long untilNanos) {
        return demo.transitions.stream()
                .filter(s -> breakers.contains(s.transition().breaker()) && s.transition().to() == CircuitBreakerState.OPEN
                        && s.atNanos() >= sinceNanos && s.atNanos() < untilNanos)
                .map(s -> (s.atNanos() - sinceNanos) / 1e9).min(Double::compare).orElse(null);
    }

    /**
     * Seconds from {@code sinceNanos} until every one of {@code breakers} that was not CLOSED then has closed, before
     * {@code untilNanos}; null when none closed in that window.
     */
    private Double secondsToClose(List<String> breakers, long sinceNanos, long untilNanos) {
        Double latest = null;
        for (String breaker : breakers) {
            if (closedAt(breaker, sinceNanos)) {
                continue;   // it did not open, or closed before the recovery: no time to close to tell
            }
            Double closed = demo.transitions.stream()
                    .filter(s -> s.transition().breaker().equals(breaker) && s.transition().to() == CircuitBreakerState.CLOSED
                            && s.atNanos() >= sinceNanos && s.atNanos() < untilNanos)
                    .map(s -> (s.atNanos() - sinceNanos) / 1e9).min(Double::compare).orElse(null);
            if (closed != null) {
                latest = latest == null ? closed : Math.max(latest, closed);
            }
        }
        return latest;
    }

    /** Whether {@code breaker} was CLOSED at {@code nanos}: its last transition before then went to CLOSED, or none did. */
    private boolean closedAt(String breaker, long nanos) {
        return demo.transitions.stream()
                .filter(s -> s.transition().breaker().equals(breaker) && s.atNanos() < nanos)
                .reduce((a, b) -> b).map(s -> s.transition().to() == CircuitBreakerState.CLOSED).orElse(true);
    }

    private static String key(PathStats p) {
        switch (p.label) {
            case "EventBus":
                return "eventBus";
            case "plain KafkaProducer":
                return "plain";
            default:
                return "interceptor";
        }
    }

    private static void row(PrintWriter out, String what, String... paths) {
        out.printf("%-32s %-30s %-30s %s%n", what, paths[0], paths[1], paths[2]);
    }

    /** p50 / p99 / max of a path's call times. */
    private static String callTimes(PathStats p) {
        long p50 = p.callQuantile(0.50);
        return p50 < 0 ? "none" : duration(p50) + " / " + duration(p.callQuantile(0.99)) + " / " + duration(p.longestBlockNanos.get());
    }

    private static Double micros(PathStats p, double quantile) {
        long nanos = p.callQuantile(quantile);
        return nanos < 0 ? null : nanos / 1_000.0;
    }

    private static String duration(long nanos) {
        if (nanos < 1_000_000) {
            return String.format(Locale.ROOT, "%.1f µs", nanos / 1e3);
        }
        return nanos < 1_000_000_000 ? String.format(Locale.ROOT, "%.1f ms", nanos / 1e6)
                : String.format(Locale.ROOT, "%.2f s", nanos / 1e9);
    }

    private static String s(Double seconds) {
        return seconds == null ? "-" : String.format(Locale.ROOT, "%.1f s", seconds);
    }

    private static String seconds(long nanos) {
        return String.format(Locale.ROOT, "%.2f s", nanos / 1e9);
    }

    private static String n(long value) {
        return Long.toString(value);
    }

    @SuppressWarnings("unchecked")
    static String toJson(Object value) {
        if (value == null) {
            return "null";
        }
        if (value instanceof Map) {
            return ((Map<String, Object>) value).entrySet().stream()
                    .map(e -> "\"" + e.getKey() + "\":" + toJson(e.getValue()))
                    .collect(Collectors.joining(",", "{", "}"));
        }
        if (value instanceof Double) {
            return String.format(Locale.ROOT, "%.6f", (Double) value);
        }
        return value.toString();
    }
}
