package io.breakwater.cli.internal;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.breakwater.status.FleetEntry;
import io.breakwater.status.StatusEventCodec;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * The fleet as {@code breakwater status} prints it: one line per breaker of every instance (instance, breaker, state,
 * since, last seen, failures/successes of the last period, reason), the state in the demo's colours; or as JSON.
 */
public final class FleetTable {

    private static final ObjectMapper MAPPER = new ObjectMapper();
    private static final String FORMAT = "%-24s %-24s %-12s %-10s %-10s %-9s %s";

    private FleetTable() {
    }

    /**
     * The table's lines at {@code now}: a header, then one line per entry of {@code all}, the stopped ones only if
     * {@code includeStopped} (else a line says how many are hidden), or a line saying there is none.
     */
    public static List<String> lines(List<FleetEntry> all, boolean includeStopped, Instant now, boolean color) {
        List<String> lines = new ArrayList<>();
        lines.add(String.format(FORMAT, "INSTANCE", "BREAKER", "STATE", "SINCE", "LAST SEEN", "FAIL/OK", "REASON").stripTrailing());
        List<FleetEntry> shown = shown(all, includeStopped);
        for (FleetEntry e : shown) {
            lines.add(line(e, now, color));
        }
        if (all.isEmpty()) {
            lines.add("(no breakers have published yet)");
        } else if (shown.size() < all.size()) {
            lines.add("(" + (all.size() - shown.size()) + " stopped breaker(s) not shown: --all shows them)");
        }
        return lines;
    }

    /** {@code all}, without the stopped entries unless {@code includeStopped}. */
    public static List<FleetEntry> shown(List<FleetEntry> all, boolean includeStopped) {
        return all.stream().filter(e -> includeStopped || e.presence() != FleetEntry.Presence.STOPPED).toList();
    }

    private static String line(FleetEntry e, Instant now, boolean color) {
        String state;
        String reason = e.event().reason();
        switch (e.presence()) {
            case STALE -> {
                state = String.format("%-12s", "STALE");
                reason = "no heartbeat for " + ago(e.heartbeat().at(), now) + " (every " + human(e.heartbeat().interval())
                        + "); last known " + e.state() + ": " + reason;
            }
            case STOPPED -> {
                state = String.format("%-12s", "STOPPED");
                reason = "last state " + e.state() + (e.event().reason().equals("stopped") ? "" : ": " + reason);
            }
            default -> state = Ansi.state(e.state(), String.format("%-12s", e.state()), color);
        }
        String counts = e.event().failureCount() + "/" + e.event().successCount();
        return String.format("%-24s %-24s %s %-10s %-10s %-9s %s", printable(e.instance()), printable(e.breaker()), state,
                ago(e.event().since(), now), ago(e.lastSeen(), now), counts, printable(reason)).stripTrailing();
    }

    // Control characters (C0 and C1: escape sequences, line breaks) and bidirectional overrides.
    private static final java.util.regex.Pattern UNPRINTABLE =
            java.util.regex.Pattern.compile("[\\p{Cc}\\u202A-\\u202E\\u2066-\\u2069]");

    /**
     * {@code text} read from the status topic, fit for a terminal: every control character (an escape sequence
     * that would move the cursor or repaint a row, a line break that would forge one) shown as {@code ?}. Anyone
     * who may write to the topic chooses these texts.
     */
    public static String printable(String text) {
        return text == null ? null : UNPRINTABLE.matcher(text).replaceAll("?");
    }

    /** How long before {@code now} {@code at} was: {@code 12 s}, {@code 5 m}, {@code 3 h}, {@code 2 d}. */
    static String ago(Instant at, Instant now) {
        return human(Duration.between(at, now));
    }

    private static String human(Duration d) {
        long s = Math.max(0, d.toSeconds());
        return s < 120 ? s + " s" : s < 7_200 ? s / 60 + " m" : s < 172_800 ? s / 3_600 + " h" : s / 86_400 + " d";
    }

    /**
     * The fleet as a JSON array: each entry is its breaker's newest event as the status topic has it, plus
     * {@code presence} (LIVE, STALE, STOPPED or UNKNOWN) and {@code lastSeen}.
     */
    public static String json(List<FleetEntry> fleet) {
        ArrayNode array = MAPPER.createArrayNode();
        try {
            for (FleetEntry e : fleet) {
                ObjectNode node = (ObjectNode) MAPPER.readTree(StatusEventCodec.encode(e.event()));
                node.put("presence", e.presence().name()).put("lastSeen", e.lastSeen().toString());
                array.add(node);
            }
            return MAPPER.writeValueAsString(array);
        } catch (IOException ex) {
            throw new UncheckedIOException("could not write the fleet as JSON", ex);
        }
    }
}
