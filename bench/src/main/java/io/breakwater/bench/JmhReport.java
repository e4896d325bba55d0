package io.breakwater.bench;

import io.breakwater.bench.JmhRun.Score;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/** The JMH tables (scores with their 99.9 % intervals and B/op, ratios and verdicts) and the JMH targets. */
final class JmhReport {

    static final List<String> SCENARIOS = List.of("permission", "countWindow", "timeWindow", "call", "rejected", "refused");
    static final Map<String, String> SCENARIO_NAMES = Map.of(
            "permission", "permission check alone (CLOSED)",
            "countWindow", "permission + record success, count window 100",
            "timeWindow", "permission + record success, time window 10 s",
            "call", "full call through the library's wrapper",
            "rejected", "rejection while OPEN, through the wrapper",
            "refused", "rejection while OPEN, the permission check alone (no exception)");
    static final List<String> PEERS = List.of("resilience4j", "failsafe");

    private JmhReport() {
    }

    static void method(StringBuilder md, BenchConfig c) {
        md.append("## JMH: how\n\n");
        md.append(String.format(Locale.ROOT, "- JMH 1.37, average time, %d fork(s), %d × 1 s warm-up and %d × 1 s measurement per "
                + "scenario, GC profiler on (B/op); ", c.forks(), c.warmups(), c.iterations()));
        md.append("Resilience4j 2.4.0, Failsafe 3.3.2; one breaker per library and scenario, shared by all threads; the OPEN ")
                .append("breakers were tripped (not forced) with an hour to wait, so each rejection checks its reset timeout.");
        md.append(c.jmhCpus() == null ? "\n" : " Forks pinned with `taskset -c " + c.jmhCpus() + "`.\n");
        md.append("- Each score: mean ns/op [99.9 % confidence interval], B/op. Cost = score − baseline (a supplier call without "
                + "any breaker). Ratio = Breakwater's cost ÷ the peer's (below 1: Breakwater is cheaper). Verdict: **ahead** or "
                + "**behind** only where the two intervals do not overlap, else level.\n\n");
    }

    static void table(StringBuilder md, String title, Map<String, Score> s) {
        Score base = s.get("baseline");
        md.append("## JMH, ").append(title).append("\n\n");
        md.append("Baseline: ").append(cell(base)).append(String.format(Locale.ROOT, " (%d samples).%n%n", base.samples()));
        md.append("| scenario | Breakwater | Resilience4j | Failsafe | ÷ Resilience4j | ÷ Failsafe |\n");
        md.append("|---|---|---|---|---|---|\n");
        for (String scenario : SCENARIOS) {
            Score bw = s.get(scenario + "_breakwater");
            if (bw == null) {
                continue; // left out of this run (bench.include)
            }
            md.append("| ").append(SCENARIO_NAMES.get(scenario)).append(" | ").append(cell(bw));
            for (String peer : PEERS) {
                Score p = s.get(scenario + "_" + peer);
                md.append(" | ").append(p == null ? "—" : cell(p));
            }
            for (String peer : PEERS) {
                Score p = s.get(scenario + "_" + peer);
                md.append(" | ").append(p == null ? "—" : ratio(bw.minus(base), p.minus(base)) + " " + verdict(bw, p));
            }
            md.append(" |\n");
        }
        md.append('\n');
    }

    private static String cell(Score v) {
        return String.format(Locale.ROOT, "%.2f [%.2f, %.2f], %s", v.mean(), v.low(), v.high(), bytes(v.bytesPerOp()));
    }

    private static String bytes(double b) {
        if (Double.isNaN(b)) {
            return "? B/op";
        }
        return b < 0.01 ? "0 B/op" : String.format(Locale.ROOT, "%.1f B/op", b);
    }

    private static String ratio(Score bwCost, Score peerCost) {
        if (peerCost.mean() <= 0.5) {
            return "— (peer within 0.5 ns of baseline)";
        }
        return String.format(Locale.ROOT, "%.2f", Math.max(0, bwCost.mean()) / peerCost.mean());
    }

    /** Ahead or behind only where the intervals do not overlap. */
    static String verdict(Score bw, Score peer) {
        if (Double.isNaN(bw.high()) || Double.isNaN(peer.high())) {
            return "(no interval: too few samples)";
        }
        if (bw.high() < peer.low()) {
            return "(**ahead**)";
        }
        if (bw.low() > peer.high()) {
            return "(**behind**)";
        }
        return "(level: intervals overlap)";
    }

    static void targets(Targets t, Map<String, Score> one, Map<String, Score> four) {
        Score base1 = one.get("baseline");
        Score base4 = four.get("baseline");
        cost(t, "time window 10 s, 1 thread: ≤ 15 ns over baseline", one, "timeWindow_breakwater", base1, 15);
        half(t, "count window 100, 4 threads: ≤ ½ of Resilience4j's cost", four, "countWindow", base4);
        half(t, "time window 10 s, 4 threads: ≤ ½ of Resilience4j's cost", four, "timeWindow", base4);
        cost(t, "rejection while OPEN, 1 thread: ≤ 20 ns over baseline", one, "rejected_breakwater", base1, 20);
        for (Map.Entry<String, Map<String, Score>> run : Map.of("1 thread", one, "4 threads", four).entrySet()) {
            Score r = run.getValue().get("rejected_breakwater");
            if (r != null) {
                // Each refusal throws an exception of its own (64 bytes, stackless), by design: it names the breaker and the
                // wait, and can be thrown beside another refusal and take suppressed exceptions. So this is missed by that.
                allocationFree(t, "rejection while OPEN, through the wrapper: allocation-free (0 B/op), " + run.getKey(),
                        r.bytesPerOp(), ": the exception each refusal throws, its own instance by design (a refusal of "
                                + "tryAcquirePermit() allocates nothing)");
            }
            Score check = run.getValue().get("refused_breakwater");
            if (check != null) {
                allocationFree(t, "rejection while OPEN, the permission check: allocation-free (0 B/op), " + run.getKey(),
                        check.bytesPerOp(), "");
            }
        }
        cost(t, "full call, 1 thread: ≤ 20 ns over baseline", one, "call_breakwater", base1, 20);
        Score call = one.get("call_breakwater");
        Score r4jCall = one.get("call_resilience4j");
        if (call != null && r4jCall != null) {
            double times = r4jCall.minus(base1).low() / Math.max(0.01, call.minus(base1).high());
            t.atLeast("full call, 1 thread: ≥ 5× cheaper than Resilience4j (worst case of the intervals)", times, 5, "×",
                    String.format(Locale.ROOT, "%.1f× (means: %.1f×)", times,
                            r4jCall.minus(base1).mean() / Math.max(0.01, call.minus(base1).mean())));
        }
        half(t, "full call, 4 threads: ≤ ½ of Resilience4j's cost", four, "call", base4);
        Score permission = one.get("permission_breakwater");
        if (permission != null) {
            boolean overlaps = permission.low() <= base1.high();
            if (Double.isNaN(permission.low()) || Double.isNaN(base1.high())) {
                t.add("permission check within noise of the baseline, 1 thread", String.format(Locale.ROOT, "%.2f ns over",
                        permission.minus(base1).mean()), false, Targets.NO_INTERVAL);
                return;
            }
            t.add("permission check within noise of the baseline, 1 thread", String.format(Locale.ROOT,
                    "%.2f ns over; intervals %s", permission.minus(base1).mean(), overlaps ? "overlap" : "apart"), overlaps,
                    String.format(Locale.ROOT, "by %.2f ns (its interval's low end above the baseline's high end)",
                            permission.low() - base1.high()));
        }
    }

    /** Met at 0 B/op (JMH's figure below half a byte); else missed by the figure, then {@code why} when it is the refusal's. */
    private static void allocationFree(Targets t, String target, double bytesPerOp, String why) {
        if (Double.isNaN(bytesPerOp)) {
            t.add(target, bytes(bytesPerOp), false, "not judged: no B/op figure (GC profiler off)");
            return;
        }
        boolean refusalOnly = Math.abs(bytesPerOp - 64) < 0.5;
        t.add(target, bytes(bytesPerOp), bytesPerOp < 0.5, "by " + bytes(bytesPerOp) + (refusalOnly ? why : ""));
    }

    private static void cost(Targets t, String target, Map<String, Score> s, String method, Score base, double limit) {
        Score v = s.get(method);
        if (v != null) {
            Score c = v.minus(base);
            t.atMost(target, c.high(), limit, "ns", String.format(Locale.ROOT, "%.2f ns [%.2f, %.2f]", c.mean(), c.low(), c.high()));
        }
    }

    private static void half(Targets t, String target, Map<String, Score> s, String scenario, Score base) {
        Score bw = s.get(scenario + "_breakwater");
        Score r4j = s.get(scenario + "_resilience4j");
        if (bw != null && r4j != null) {
            Score bwCost = bw.minus(base);
            Score r4jCost = r4j.minus(base);
            t.atMost(target, bwCost.high(), r4jCost.low() / 2, "ns", String.format(Locale.ROOT,
                    "%.2f ns [%.2f, %.2f] vs %.2f ns [%.2f, %.2f] (ratio %.2f)", bwCost.mean(), bwCost.low(), bwCost.high(),
                    r4jCost.mean(), r4jCost.low(), r4jCost.high(), bwCost.mean() / r4jCost.mean()));
        }
    }
}
