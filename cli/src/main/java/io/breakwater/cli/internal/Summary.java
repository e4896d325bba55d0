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
        out.println("Summary: " + options.duration().toSeconds() + " s, " + options.rate() + " events/s on each path from "
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
            faultRows(out, "freeze", freeze, resume);
            faultRows(out, "kill", kill, restart);
        }
        long p50 = demo.bus.fastFailQuantile(0.50);
        long p99 = demo.bus.fastFailQuantile(0.99);
        row(out, "fast-fail latency p50 / p99", p50 < 0 ? "none" : micros(p50) + " / " + micros(p99),
                "cannot reject (observes)", "no breaker");
        json.put("fastFailP50Micros", p50 < 0 ? null : p50 / 1_000.0);
        json.put("fastFailP99Micros", p99 < 0 ? null : p99 / 1_000.0);
        row(out, "seconds callers spent blocked", seconds(demo.bus.blockedNanos.sum()),
                seconds(demo.intercepted.blockedNanos.sum()), seconds(demo.plain.blockedNanos.sum()));
        row(out, "longest single send()", seconds(demo.bus.longestBlockNanos.get()),
                seconds(demo.intercepted.longestBlockNanos.get()), seconds(demo.plain.longestBlockNanos.get()));
        row(out, "published", n(demo.bus.published.get()), n(demo.intercepted.published.get()), n(demo.plain.published.get()));
        row(out, "acked", n(demo.bus.acked.get()), n(demo.intercepted.acked.get()), n(demo.plain.acked.get()));
        row(out, "failed (rejected at once)", demo.bus.failed.get() + " (" + demo.bus.rejected.get() + ")",
                n(demo.intercepted.failed.get()), n(demo.plain.failed.get()));
        row(out, "lost", n(demo.bus.lost()), n(demo.intercepted.lost()), n(demo.plain.lost()));
        for (PathStats p : List.of(demo.bus, demo.intercepted, demo.plain)) {
            Map<String, Object> path = new LinkedHashMap<>();
            path.put("published", p.published.get());
            path.put("acked", p.acked.get());
            path.put("failed", p.failed.get());
            path.put("rejected", p.rejected.get());
            path.put("lost", p.lost());
            path.put("blockedSeconds", p.blockedNanos.sum() / 1e9);
            json.put(key(p), path);
        }
        out.println();
        out.println("summary-json: " + toJson(json));
    }

    private Demo.Fault fault(int index) {
        return demo.faults.size() > index ? demo.faults.get(index) : null;
    }

    private void faultRows(PrintWriter out, String name, Demo.Fault fault, Demo.Fault recovery) {
        if (fault == null) {
            return;
        }
        Double busOpen = secondsToOpen(List.of(Demo.TRANSPORT, Demo.CHANNEL), fault.atNanos());
        Double interceptorOpen = secondsToOpen(List.of(Demo.INTERCEPTED), fault.atNanos());
        long plainFailure = demo.plain.firstFailureAfter(fault.atNanos());
        Double plainNoticed = plainFailure < 0 ? null : (plainFailure - fault.atNanos()) / 1e9;
        row(out, "time to open after " + name, s(busOpen), s(interceptorOpen),
                plainNoticed == null ? "no error within the run" : "first error after " + s(plainNoticed));
        json.put("eventBusTimeToOpenAfter_" + name, busOpen);
        json.put("interceptorTimeToOpenAfter_" + name, interceptorOpen);
        json.put("plainFirstErrorAfter_" + name, plainNoticed);
        if (recovery != null) {
            Double busClose = secondsToClose(List.of(Demo.TRANSPORT, Demo.CHANNEL), recovery.atNanos());
            Double interceptorClose = secondsToClose(List.of(Demo.INTERCEPTED), recovery.atNanos());
            row(out, "time to close after " + (name.equals("freeze") ? "resume" : "restart"), s(busClose), s(interceptorClose), "-");
            json.put("eventBusTimeToCloseAfter_" + name, busClose);
            json.put("interceptorTimeToCloseAfter_" + name, interceptorClose);
        }
    }

    /** Seconds from {@code sinceNanos} to the first of {@code breakers} opening, or null. */
    private Double secondsToOpen(List<String> breakers, long sinceNanos) {
        return demo.transitions.stream()
                .filter(s -> breakers.contains(s.transition().breaker()) && s.transition().to() == CircuitBreakerState.OPEN
                        && s.atNanos() >= sinceNanos)
                .map(s -> (s.atNanos() - sinceNanos) / 1e9).min(Double::compare).orElse(null);
    }

    /** Seconds from {@code sinceNanos} until every one of {@code breakers} that was not closed has closed, or null. */
    private Double secondsToClose(List<String> breakers, long sinceNanos) {
        Double latest = null;
        for (String breaker : breakers) {
            Double closed = demo.transitions.stream()
                    .filter(s -> s.transition().breaker().equals(breaker) && s.transition().to() == CircuitBreakerState.CLOSED
                            && s.atNanos() >= sinceNanos)
                    .map(s -> (s.atNanos() - sinceNanos) / 1e9).min(Double::compare).orElse(null);
            if (closed != null) {
                latest = latest == null ? closed : Math.max(latest, closed);
            }
        }
        return latest;
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

    private static void row(PrintWriter out, String what, String bus, String intercepted, String plain) {
        out.printf("%-32s %-22s %-28s %s%n", what, bus, intercepted, plain);
    }

    private static String s(Double seconds) {
        return seconds == null ? "-" : String.format(Locale.ROOT, "%.1f s", seconds);
    }

    private static String seconds(long nanos) {
        return String.format(Locale.ROOT, "%.2f s", nanos / 1e9);
    }

    private static String micros(long nanos) {
        return String.format(Locale.ROOT, "%.1f µs", nanos / 1e3);
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
