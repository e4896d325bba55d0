package io.breakwater.chaos;

import io.breakwater.breaker.CircuitBreakerState;
import java.io.BufferedReader;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The history of a run as its file holds it, one tab-separated line per entry; times are milliseconds from the
 * start of the run, to the microsecond:
 * <pre>
 * # key=value                                             (the run's options: seed, minutes, rate, ...)
 * op  ID  WORKLOAD  KEY  SEQ  INVOKE  CALL  COMPLETE  OUTCOME   (COMPLETE is - for a pending op)
 * transition  AT  WORKLOAD  BREAKER  FROM  TO  REASON
 * fault  AT  start|end  ID  KIND  NODES  DETAIL  BEGIN
 * </pre>
 * CALL is how long the call that made the operation took (the caller's blocked time). A fault's {@code start} is
 * written when it took effect and its {@code end} when it was undone; BEGIN is when the nemesis began to inject
 * it (of a {@code start}) or to heal it (of an {@code end}). A fault line without BEGIN began at AT.
 */
record History(Map<String, String> meta, List<Op> ops, List<Transition> transitions, List<FaultEvent> faults) {

    /** One operation: an event with a unique id, sent by a workload under a key, the seq-th of that key. */
    record Op(String id, String workload, String key, long seq, long invokeMicros, long callMicros, long completeMicros,
              Outcome outcome) {
        String line() {
            return String.join("\t", "op", id, workload, key, Long.toString(seq), millis(invokeMicros), millis(callMicros),
                    completeMicros < 0 ? "-" : millis(completeMicros), outcome.format());
        }
    }

    /** A breaker's change of state, as heard. */
    record Transition(long atMicros, String workload, String breaker, CircuitBreakerState from, CircuitBreakerState to,
                      String reason) {
        String line() {
            return String.join("\t", "transition", millis(atMicros), workload, breaker, from.name(), to.name(), clean(reason));
        }
    }

    /**
     * The start (the fault is in effect) or the end (it is undone) of a fault, at {@code atMicros}; the nemesis
     * began to inject or to heal it at {@code beginMicros}.
     */
    record FaultEvent(long beginMicros, long atMicros, boolean start, int fault, FaultKind kind, String nodes, String detail) {
        String line() {
            return String.join("\t", "fault", millis(atMicros), start ? "start" : "end", Integer.toString(fault),
                    kind.name(), nodes, clean(detail), millis(beginMicros));
        }
    }

    static String metaLine(String key, String value) {
        return "# " + key + "=" + clean(value);
    }

    /** {@code 12345.678} for 12,345,678 µs. */
    static String millis(long micros) {
        String sign = micros < 0 ? "-" : "";
        long abs = Math.abs(micros);
        long fraction = abs % 1000;
        return sign + abs / 1000 + "." + (fraction < 10 ? "00" : fraction < 100 ? "0" : "") + fraction;
    }

    /** The microseconds {@link #millis(long)} wrote. */
    static long micros(String millis) {
        int dot = millis.indexOf('.');
        if (dot < 0) {
            return Long.parseLong(millis) * 1000;
        }
        String fraction = (millis.substring(dot + 1) + "000").substring(0, 3);
        long whole = Long.parseLong(millis.substring(0, dot).replace("-", ""));
        long value = whole * 1000 + Long.parseLong(fraction);
        return millis.startsWith("-") ? -value : value;
    }

    private static String clean(String text) {
        return text == null ? "" : text.replace('\t', ' ').replace('\n', ' ').replace('\r', ' ');
    }

    /**
     * Reads a history file.
     *
     * @throws IllegalArgumentException naming the line that is not an entry
     */
    static History read(Path file) throws IOException {
        Map<String, String> meta = new LinkedHashMap<>();
        List<Op> ops = new ArrayList<>();
        List<Transition> transitions = new ArrayList<>();
        List<FaultEvent> faults = new ArrayList<>();
        try (BufferedReader in = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            String line;
            int number = 0;
            while ((line = in.readLine()) != null) {
                number++;
                if (line.isBlank()) {
                    continue;
                }
                try {
                    parse(line, meta, ops, transitions, faults);
                } catch (RuntimeException e) {
                    throw new IllegalArgumentException(file + " line " + number + " is not a history entry: " + line, e);
                }
            }
        }
        return new History(meta, ops, transitions, faults);
    }

    private static void parse(String line, Map<String, String> meta, List<Op> ops, List<Transition> transitions,
            List<FaultEvent> faults) {
        if (line.startsWith("# ")) {
            int eq = line.indexOf('=');
            if (eq > 0) {
                meta.put(line.substring(2, eq), line.substring(eq + 1));
            }
            return;
        }
        String[] f = line.split("\t", -1);
        switch (f[0]) {
            case "op" -> {
                require(f, 9);
                ops.add(new Op(f[1], f[2], f[3], Long.parseLong(f[4]), micros(f[5]), micros(f[6]),
                        f[7].equals("-") ? -1 : micros(f[7]), Outcome.parse(f[8])));
            }
            case "transition" -> {
                require(f, 7);
                transitions.add(new Transition(micros(f[1]), f[2], f[3], CircuitBreakerState.valueOf(f[4]),
                        CircuitBreakerState.valueOf(f[5]), f[6]));
            }
            case "fault" -> {
                if (f.length != 7) {
                    require(f, 8);
                }
                faults.add(new FaultEvent(micros(f[f.length == 8 ? 7 : 1]), micros(f[1]), f[2].equals("start"),
                        Integer.parseInt(f[3]), FaultKind.valueOf(f[4]), f[5], f[6]));
            }
            default -> throw new IllegalArgumentException("unknown entry '" + f[0] + "'");
        }
    }

    private static void require(String[] fields, int count) {
        if (fields.length != count) {
            throw new IllegalArgumentException(count + " fields expected, but there were " + fields.length);
        }
    }
}
