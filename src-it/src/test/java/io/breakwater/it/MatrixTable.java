package io.breakwater.it;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** The outage matrix as text: breaker and callers down, fault across, ms to OPEN in each cell. */
final class MatrixTable {

    private final Path file;
    private final Duration target;
    private final Duration observe;
    // Rows and columns in the order they first appear. Guarded by `this`.
    private final Map<String, Map<String, String>> cells = new LinkedHashMap<>();
    private final Set<String> columns = new LinkedHashSet<>();
    private final List<String> notes = new ArrayList<>();

    MatrixTable(Path file, Duration target, Duration observe) {
        this.file = file;
        this.target = target;
        this.observe = observe;
    }

    synchronized void put(String row, String column, String text) {
        columns.add(column);
        cells.computeIfAbsent(row, r -> new LinkedHashMap<>()).put(column, text);
    }

    synchronized void note(String note) {
        notes.add(note);
    }

    /** The table as text, also written to the file (so a run cut short still leaves what it measured). */
    synchronized String write() throws IOException {
        int width = cells.keySet().stream().mapToInt(String::length).max().orElse(10) + 2;
        StringBuilder out = new StringBuilder();
        out.append("Outage matrix: ms from the fault to OPEN (target <= ").append(target.toMillis())
                .append(" ms; '- [n]' = not OPEN ").append(observe.toMillis())
                .append(" ms after the fault, n consecutive failures counted by then; '!' = misses the target)\n");
        out.append(String.format("%-" + width + "s", "breaker · callers"));
        columns.forEach(c -> out.append(String.format("%12s", c)));
        out.append('\n');
        cells.forEach((row, byColumn) -> {
            out.append(String.format("%-" + width + "s", row));
            for (String c : columns) {
                String text = byColumn.getOrDefault(c, "");
                boolean late = !text.isEmpty() && (!text.chars().allMatch(Character::isDigit) || Long.parseLong(text) > target.toMillis());
                out.append(String.format("%12s", text + (late ? " !" : "")));
            }
            out.append('\n');
        });
        notes.forEach(n -> out.append("  ").append(n).append('\n'));
        Files.createDirectories(file.getParent());
        Files.writeString(file, out);
        return out.toString();
    }
}
