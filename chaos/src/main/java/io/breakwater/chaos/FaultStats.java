package io.breakwater.chaos;

import io.breakwater.breaker.CircuitBreakerState;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What each kind of fault did to each workload, from a history. A workload is <i>open</i> from the moment one of
 * its breakers leaves CLOSED until all of them are CLOSED again. For each fault (from the moment it took effect to
 * the moment it was undone): whether the workload opened (within the fault, or {@value #GRACE_MICROS} µs after),
 * how long after the fault's start; how long after the fault ended it closed again; and how long its callers spent
 * in their calls while the fault lasted. Overlapping faults each count the transitions within them.
 */
final class FaultStats {

    /** Opening this long after a fault ended still counts as the fault's doing (a 2 s stall outlives a 2 s freeze). */
    static final long GRACE_MICROS = 3_000_000;

    /** One fault, as it happened. */
    record Window(int id, FaultKind kind, long startMicros, long endMicros) {
    }

    /** What the faults of one kind did to one workload. */
    static final class Cell {
        int faults;
        int opened;
        int alreadyOpen;
        int neverClosed;
        final List<Long> toOpenMicros = new ArrayList<>();
        final List<Long> toCloseMicros = new ArrayList<>();
        final List<Long> callMicros = new ArrayList<>();
    }

    private final Map<FaultKind, Map<String, Cell>> cells = new EnumMap<>(FaultKind.class);
    private final Map<String, List<Long>> calmCalls = new LinkedHashMap<>();
    private final List<Window> windows;

    private FaultStats(List<Window> windows) {
        this.windows = windows;
    }

    /** The statistics of {@code history}, for {@code workloads}; faults never undone end at {@code runEndMicros}. */
    static FaultStats of(History history, List<String> workloads, long runEndMicros) {
        FaultStats stats = new FaultStats(windows(history, runEndMicros));
        Map<String, List<long[]>> open = openIntervals(history, workloads);
        for (Window w : stats.windows) {
            for (String workload : workloads) {
                Cell cell = stats.cell(w.kind(), workload);
                cell.faults++;
                stats.attribute(w, open.get(workload), cell);
            }
        }
        for (String workload : workloads) {
            stats.calmCalls.put(workload, new ArrayList<>());
        }
        for (History.Op op : history.ops()) {
            boolean calm = true;
            for (Window w : stats.windows) {
                if (op.invokeMicros() >= w.startMicros() && op.invokeMicros() <= w.endMicros()) {
                    stats.cell(w.kind(), op.workload()).callMicros.add(op.callMicros());
                    calm = false;
                }
            }
            if (calm && stats.calmCalls.containsKey(op.workload())) {
                stats.calmCalls.get(op.workload()).add(op.callMicros());
            }
        }
        return stats;
    }

    private void attribute(Window w, List<long[]> intervals, Cell cell) {
        for (long[] interval : intervals) {
            long opened = interval[0];
            long closed = interval[1];
            if (opened < w.startMicros() && closed > w.startMicros()) {
                cell.alreadyOpen++;
                return;
            }
            if (opened >= w.startMicros() && opened <= w.endMicros() + GRACE_MICROS) {
                cell.opened++;
                cell.toOpenMicros.add(opened - w.startMicros());
                if (closed == Long.MAX_VALUE) {
                    cell.neverClosed++;
                } else {
                    cell.toCloseMicros.add(Math.max(0, closed - w.endMicros()));
                }
                return;
            }
        }
    }

    private Cell cell(FaultKind kind, String workload) {
        return cells.computeIfAbsent(kind, k -> new LinkedHashMap<>()).computeIfAbsent(workload, w -> new Cell());
    }

    /** The faults of the history, in the order they took effect. */
    static List<Window> windows(History history, long runEndMicros) {
        Map<Integer, History.FaultEvent> starts = new LinkedHashMap<>();
        Map<Integer, Long> ends = new HashMap<>();
        for (History.FaultEvent e : history.faults()) {
            if (e.start()) {
                starts.put(e.fault(), e);
            } else {
                ends.put(e.fault(), e.atMicros());
            }
        }
        List<Window> windows = new ArrayList<>();
        starts.forEach((id, e) -> windows.add(new Window(id, e.kind(), e.atMicros(), ends.getOrDefault(id, runEndMicros))));
        return windows;
    }

    /** Per workload, the intervals [opened, closed) during which one of its breakers was not CLOSED. */
    private static Map<String, List<long[]>> openIntervals(History history, List<String> workloads) {
        Map<String, List<long[]>> intervals = new HashMap<>();
        Map<String, Map<String, CircuitBreakerState>> states = new HashMap<>();
        for (String workload : workloads) {
            intervals.put(workload, new ArrayList<>());
            states.put(workload, new HashMap<>());
        }
        List<History.Transition> transitions = new ArrayList<>(history.transitions());
        transitions.sort(java.util.Comparator.comparingLong(History.Transition::atMicros));
        for (History.Transition t : transitions) {
            Map<String, CircuitBreakerState> state = states.get(t.workload());
            if (state == null) {
                continue;
            }
            boolean wasClosed = allClosed(state);
            state.put(t.breaker(), t.to());
            boolean isClosed = allClosed(state);
            List<long[]> list = intervals.get(t.workload());
            if (wasClosed && !isClosed) {
                list.add(new long[] {t.atMicros(), Long.MAX_VALUE});
            } else if (!wasClosed && isClosed) {
                list.get(list.size() - 1)[1] = t.atMicros();
            }
        }
        return intervals;
    }

    private static boolean allClosed(Map<String, CircuitBreakerState> states) {
        return states.values().stream().allMatch(s -> s == CircuitBreakerState.CLOSED);
    }

    List<Window> windows() {
        return windows;
    }

    /** The kinds that happened, in the order of {@link FaultKind}. */
    List<FaultKind> kinds() {
        return List.copyOf(cells.keySet());
    }

    /** What the faults of {@code kind} did to {@code workload}. */
    Cell of(FaultKind kind, String workload) {
        return cells.getOrDefault(kind, Map.of()).getOrDefault(workload, new Cell());
    }

    /** Call times of the operations invoked while no fault was in effect. */
    List<Long> calmCalls(String workload) {
        return calmCalls.getOrDefault(workload, List.of());
    }

    /** The nearest-rank percentile {@code p} (0..100) of {@code values}; -1 when there are none. */
    static long percentile(List<Long> values, double p) {
        if (values.isEmpty()) {
            return -1;
        }
        long[] sorted = values.stream().mapToLong(Long::longValue).toArray();
        Arrays.sort(sorted);
        int rank = (int) Math.ceil(p / 100 * sorted.length);
        return sorted[Math.max(0, Math.min(sorted.length - 1, rank - 1))];
    }
}
