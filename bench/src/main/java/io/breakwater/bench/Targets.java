package io.breakwater.bench;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/** The targets of a run, each with what was measured, whether it was met, and by how much it was missed. */
final class Targets {

    private record Row(String target, String measured, boolean met, String miss) {
    }

    /** What a target judged on an interval says when there is none (JMH gives none below 3 samples). */
    static final String NO_INTERVAL = "not judged: no interval (too few samples)";

    private final List<Row> rows = new ArrayList<>();

    /** A target met, or missed ({@code miss} says by how much). */
    void add(String target, String measured, boolean met, String miss) {
        rows.add(new Row(target, measured, met, met ? "" : miss));
    }

    /** A target whose figure is at most {@code limit}: missed by the excess. */
    void atMost(String target, double value, double limit, String unit, String measured) {
        if (Double.isNaN(value) || Double.isNaN(limit)) {
            add(target, measured, false, NO_INTERVAL);
            return;
        }
        add(target, measured, value <= limit, String.format(Locale.ROOT, "by %.2f %s", value - limit, unit));
    }

    /** A target whose figure is at least {@code limit}: missed by the shortfall. */
    void atLeast(String target, double value, double limit, String unit, String measured) {
        if (Double.isNaN(value) || Double.isNaN(limit)) {
            add(target, measured, false, NO_INTERVAL);
            return;
        }
        add(target, measured, value >= limit, String.format(Locale.ROOT, "by %.3f %s", limit - value, unit));
    }

    boolean isEmpty() {
        return rows.isEmpty();
    }

    /** One paragraph for the top of the report: how many targets were met, and which were missed. */
    void summary(StringBuilder md) {
        if (rows.isEmpty()) {
            return;
        }
        long met = rows.stream().filter(Row::met).count();
        md.append(String.format(Locale.ROOT, "%n**%d of %d targets met.**", met, rows.size()));
        List<Row> missed = rows.stream().filter(r -> !r.met).toList();
        if (!missed.isEmpty()) {
            md.append(" Missed:");
            for (Row r : missed) {
                md.append("\n- ").append(r.target).append(": ").append(r.measured).append(" (").append(r.miss).append(')');
            }
        }
        md.append("\n\nEvery target, with its figures, is in the table at the end.\n\n");
    }

    void report(StringBuilder md) {
        md.append("## Targets\n\n");
        md.append("Each target as the project sets it, judged on this run alone. A JMH target is met only when the whole 99.9 % ")
                .append("interval meets it (for a cost: the interval of the score less the baseline's).\n\n");
        md.append("| target | measured | met | missed |\n|---|---|---|---|\n");
        for (Row r : rows) {
            md.append("| ").append(r.target).append(" | ").append(r.measured).append(" | ").append(r.met ? "yes" : "**no**")
                    .append(" | ").append(r.miss).append(" |\n");
        }
        md.append('\n');
    }
}
