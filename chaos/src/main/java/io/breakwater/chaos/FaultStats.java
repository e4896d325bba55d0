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
 * its breakers leaves CLOSED until all of them are CLOSED again. For each fault (from the moment the nemesis began
 * to inject it to the moment it was undone): whether the workload opened (within the fault, or
 * {@value #GRACE_MICROS} µs after), how long after the injection began; how long after the healing began it closed
 * again, and how long after the fault was undone; and how long its callers spent in their calls while the fault
 * was in effect. Overlapping faults each count the transitions within them. Controlled shutdowns that had to be
 * killed are counted apart from the clean ones.
 */
final class FaultStats {

    /** Opening this long after a fault ended still counts as the fault's doing (a 2 s stall outlives a 2 s freeze). */
    static final long GRACE_MICROS = 3_000_000;

    /**
     * One fault, as it happened: the nemesis began to inject it at {@code injectMicros}, it was in effect from
     * {@code startMicros}, the nemesis began to heal it at {@code healMicros}, and it was undone at {@code endMicros}.
     */
    record Window(int id, FaultKind kind, long injectMicros, long startMicros, long healMicros, long endMicros) {
    }

    /** What the faults of one kind did to one workload. */
    static final class Cell {
        int faults;
        int opened;
        int alreadyOpen;
        int neverClosed;
        final List<Long> toOpenMicros = new ArrayList<>();
        /** From the moment the healing began. */
        final List<Long> toCloseMicros = new ArrayList<>();
        /** From the moment the fault was undone (the healing ended). */
        final List<Long> toCloseAfterHealMicros = new ArrayList<>();
        final List<Long> callMicros = new ArrayList<>();
    }

    private final Map<FaultKind, Map<String, Cell>> cells = new EnumMap<>(FaultKind.class);
    private final Map<String, List<Long>> calmCalls = new LinkedHashMap<>();
    private final List<Window> windows;
    private int stoppedCleanly;
    private int stopTimedOut;

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
        for (History.FaultEvent e : history.faults()) {
            if (e.start() && e.kind() == FaultKind.CONTROLLED_SHUTDOWN) {
                if (e.detail().contains(Nemesis.STOP_TIMED_OUT)) {
                    stats.stopTimedOut++;
                } else {
                    stats.stoppedCleanly++;
                }
            }
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
            if (opened < w.injectMicros() && closed > w.injectMicros()) {
                cell.alreadyOpen++;
                return;
            }
            if (opened >= w.injectMicros() && opened <= w.endMicros() + GRACE_MICROS) {
                cell.opened++;
                cell.toOpenMicros.add(opened - w.injectMicros());
                if (closed == Long.MAX_VALUE) {
                    cell.neverClosed++;
                } else {
                    cell.toCloseMicros.add(Math.max(0, closed - w.healMicros()));
                    cell.toCloseAfterHealMicros.add(Math.max(0, closed - w.endMicros()));
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
        Map<Integer, History.FaultEvent> ends = new HashMap<>();
        for (History.FaultEvent e : history.faults()) {
            (e.start() ? starts : ends).put(e.fault(), e);
        }
        List<Window> windows = new ArrayList<>();
        starts.forEach((id, e) -> {
            History.FaultEvent end = ends.get(id);
            windows.add(new Window(id, e.kind(), e.beginMicros(), e.atMicros(), end == null ? runEndMicros : end.beginMicros(),
                    end == null ? runEndMicros : end.atMicros()));
        });
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

    /** Controlled shutdowns that ended within their time. */
    int stoppedCleanly() {
        return stoppedCleanly;
    }

    /** Controlled shutdowns that did not end within their time: the node was SIGKILLed. */
    int stopTimedOut() {
        return stopTimedOut;
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
