package io.breakwater.chaos;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;

/**
 * A seeded random schedule of faults on a 3-node cluster: the same seed and length give the same schedule.
 * Kinds come in shuffled rounds of all eight, so a schedule of eight faults or more has every kind. Each fault
 * lasts 2 to 30 s (all nodes down: 10 to 30 s). After a fault, either a quiet gap of 3 to 12 s, or (three times
 * in ten) the next fault starts while it still runs. Two faults never take the same node's process (or the same
 * node's proxy) at once, and a process fault leaves its nodes {@value #RESTART_ALLOWANCE_MILLIS} ms to restart
 * before the next one takes them. No fault starts in the first {@value #WARM_UP_MILLIS} ms, and each ends by the
 * end of the run.
 */
final class FaultSchedule {

    static final int NODES = 3;
    static final long WARM_UP_MILLIS = 10_000;
    static final long RESTART_ALLOWANCE_MILLIS = 15_000;
    static final long MIN_MILLIS = 2_000;
    static final long MAX_MILLIS = 30_000;
    static final long ALL_DOWN_MIN_MILLIS = 10_000;
    static final double OVERLAP = 0.3;

    private FaultSchedule() {
    }

    /**
     * The schedule of a run of {@code runMillis}.
     *
     * @throws IllegalArgumentException when {@code runMillis} is not positive
     */
    static List<Fault> generate(long seed, long runMillis) {
        if (runMillis <= 0) {
            throw new IllegalArgumentException("runMillis must be > 0, but was " + runMillis);
        }
        Random random = new Random(seed);
        List<Fault> faults = new ArrayList<>();
        List<FaultKind> deck = new ArrayList<>();
        long t = WARM_UP_MILLIS;
        while (t + MIN_MILLIS <= runMillis) {
            if (deck.isEmpty()) {
                deck.addAll(Arrays.asList(FaultKind.values()));
                Collections.shuffle(deck, random);
            }
            FaultKind kind = deck.remove(0);
            long min = kind == FaultKind.ALL_DOWN ? ALL_DOWN_MIN_MILLIS : MIN_MILLIS;
            long duration = Math.min(min + (long) (random.nextDouble() * (MAX_MILLIS - min)), runMillis - t);
            List<Integer> nodes = pick(random, kind.nodes);
            int latency = kind == FaultKind.LATENCY ? 50 + random.nextInt(951) : 0;
            if (duration < min) {
                break;
            }
            Fault candidate = new Fault(faults.size() + 1, kind, nodes, t, duration, latency);
            long clash = clash(faults, candidate);
            if (clash >= 0) {
                t = clash; // after what it clashes with; the kind waits for its turn again
                deck.add(0, kind);
                continue;
            }
            faults.add(candidate);
            boolean overlap = random.nextDouble() < OVERLAP && duration > 2_000;
            t = overlap ? t + 1_000 + (long) (random.nextDouble() * (duration - 1_000))
                    : t + duration + 3_000 + random.nextInt(9_001);
        }
        return List.copyOf(faults);
    }

    private static List<Integer> pick(Random random, int count) {
        List<Integer> all = new ArrayList<>(List.of(0, 1, 2));
        Collections.shuffle(all, random);
        List<Integer> nodes = new ArrayList<>(all.subList(0, count));
        Collections.sort(nodes);
        return nodes;
    }

    /** -1 when {@code f} may run beside the faults planned; else the time from which it could. */
    private static long clash(List<Fault> planned, Fault f) {
        long free = -1;
        for (Fault other : planned) {
            if (!shareResource(other, f)) {
                continue;
            }
            long otherFree = other.endMillis() + (other.kind().onProcesses() ? RESTART_ALLOWANCE_MILLIS : 0);
            if (f.startMillis() < otherFree) { // planned faults start no later than f
                free = Math.max(free, otherFree);
            }
        }
        return free;
    }

    /** Whether two faults act on a common node's process, or on a common node's proxy. */
    static boolean shareResource(Fault a, Fault b) {
        if (a.kind().onProcesses() != b.kind().onProcesses()) {
            return false;
        }
        Set<Integer> common = new HashSet<>(a.nodes());
        common.retainAll(b.nodes());
        return !common.isEmpty();
    }
}
