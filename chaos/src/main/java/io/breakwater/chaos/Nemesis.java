package io.breakwater.chaos;

import io.breakwater.testkit.FaultProxy;
import io.breakwater.testkit.ForkedKafkaCluster;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReentrantLock;
import java.util.stream.IntStream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs a fault schedule against a forked cluster, each fault on a thread of its own: it takes its nodes (a
 * fault whose nodes are still restarting from the last one waits for them), does its harm, waits its duration,
 * and undoes it; both moments go to the history. {@link #stopAndHeal()} ends every fault at once and brings every
 * node back. Thread-safe.
 */
final class Nemesis implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(Nemesis.class);
    private static final Duration STOP_TIMEOUT = Duration.ofSeconds(30);
    private static final int RESTART_ATTEMPTS = 5;
    /** How long {@link #stopAndHeal()} waits for the faults running at the stop to end. */
    static final Duration FAULT_END_WAIT = Duration.ofMinutes(5);
    /** The detail of a controlled shutdown that ended within its time. */
    static final String STOPPED_CLEANLY = "stopped cleanly";
    /** The detail of a controlled shutdown that did not end within its time, so that the node was SIGKILLed. */
    static final String STOP_TIMED_OUT = "stop timed out, killed";

    private final ForkedKafkaCluster cluster;
    private final List<Fault> schedule;
    private final RunClock clock;
    private final HistoryWriter history;
    // One lock per node's process and one per node's proxy, always taken in node order.
    private final ReentrantLock[] processLocks = locks();
    private final ReentrantLock[] proxyLocks = locks();
    private final CountDownLatch stopped = new CountDownLatch(1);
    private final List<Thread> running = new CopyOnWriteArrayList<>();
    private final List<String> problems = new CopyOnWriteArrayList<>();
    private final List<String> notes = new CopyOnWriteArrayList<>();
    private final Thread scheduler;
    private final java.util.concurrent.atomic.AtomicInteger executed = new java.util.concurrent.atomic.AtomicInteger();

    Nemesis(ForkedKafkaCluster cluster, List<Fault> schedule, RunClock clock, HistoryWriter history) {
        this.cluster = cluster;
        this.schedule = List.copyOf(schedule);
        this.clock = clock;
        this.history = history;
        this.scheduler = new Thread(this::schedule, "chaos-nemesis");
        scheduler.setDaemon(true);
    }

    private static ReentrantLock[] locks() {
        return IntStream.range(0, FaultSchedule.NODES).mapToObj(i -> new ReentrantLock()).toArray(ReentrantLock[]::new);
    }

    void start() {
        scheduler.start();
    }

    /** Faults that took effect so far. */
    int executed() {
        return executed.get();
    }

    /** What went wrong while injecting or healing (a fault that could not be undone, say). */
    List<String> problems() {
        return List.copyOf(problems);
    }

    /** What was worth saying yet went right in the end (a restart that succeeded when tried again). */
    List<String> notes() {
        return List.copyOf(notes);
    }

    private void schedule() {
        for (Fault fault : schedule) {
            long wait = fault.startMillis() * 1000 - clock.micros();
            try {
                if (wait > 0 && stopped.await(wait, TimeUnit.MICROSECONDS)) {
                    return;
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
            if (stopped.getCount() == 0) {
                return;
            }
            Thread t = new Thread(() -> run(fault), "chaos-fault-" + fault.id());
            t.setDaemon(true);
            running.add(t);
            t.start();
        }
    }

    private void run(Fault fault) {
        List<ReentrantLock> held = new ArrayList<>();
        for (int node : fault.nodes()) {
            ReentrantLock lock = (fault.kind().onProcesses() ? processLocks : proxyLocks)[node];
            lock.lock();
            held.add(lock);
        }
        try {
            if (stopped.getCount() == 0) {
                return;
            }
            long begin = System.nanoTime();
            long injectBegin = clock.micros();
            String detail = inject(fault);
            executed.incrementAndGet();
            history.write(new History.FaultEvent(injectBegin, clock.micros(), true, fault.id(), fault.kind(), fault.nodeList(),
                    fault.describe() + "; " + detail + took(begin)).line());
            try {
                stopped.await(fault.durationMillis(), TimeUnit.MILLISECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            long healBegin = System.nanoTime();
            long healBeginMicros = clock.micros();
            String healed = heal(fault);
            history.write(new History.FaultEvent(healBeginMicros, clock.micros(), false, fault.id(), fault.kind(),
                    fault.nodeList(), healed + took(healBegin)).line());
        } catch (RuntimeException e) {
            problems.add("fault " + fault.describe() + ": " + e);
            LOG.warn("fault {} failed", fault.describe(), e);
        } finally {
            held.forEach(ReentrantLock::unlock);
        }
    }

    private static String took(long beginNanos) {
        return String.format(Locale.ROOT, " (took %.1f s)", (System.nanoTime() - beginNanos) / 1e9);
    }

    private String inject(Fault fault) {
        int node = fault.nodes().get(0);
        switch (fault.kind()) {
            case FREEZE -> cluster.freeze(node);
            case KILL, KILL_MAJORITY, ALL_DOWN -> fault.nodes().forEach(cluster::kill);
            case CUT -> cluster.proxy(node).cut();
            case BLACK_HOLE -> cluster.proxy(node).blackHole();
            case LATENCY -> cluster.proxy(node).latency(Duration.ofMillis(fault.latencyMillis()));
            case CONTROLLED_SHUTDOWN -> {
                try {
                    cluster.stop(node, STOP_TIMEOUT);
                } catch (IllegalStateException e) {
                    return STOP_TIMED_OUT + " (its controlled shutdown did not end within " + STOP_TIMEOUT.toSeconds() + " s)";
                }
                return STOPPED_CLEANLY;
            }
        }
        return "in effect";
    }

    private String heal(Fault fault) {
        int node = fault.nodes().get(0);
        switch (fault.kind()) {
            case FREEZE -> cluster.resume(node);
            case KILL, KILL_MAJORITY, ALL_DOWN, CONTROLLED_SHUTDOWN -> {
                return restart(fault.nodes().stream().mapToInt(Integer::intValue).toArray());
            }
            case CUT, BLACK_HOLE, LATENCY -> cluster.proxy(node).pass();
        }
        return "healed";
    }

    /**
     * Restarts the nodes together, trying again when a start fails (a quorum that stays away past the start
     * timeout): a failed attempt is a note; the last one failing throws (and its fault is a problem).
     */
    private String restart(int... nodes) {
        for (int attempt = 1; ; attempt++) {
            try {
                cluster.restart(nodes);
                return attempt == 1 ? "restarted" : "restarted at attempt " + attempt;
            } catch (RuntimeException e) {
                if (attempt == RESTART_ATTEMPTS) {
                    throw e;
                }
                notes.add("restart of node(s) " + java.util.Arrays.toString(nodes) + ", attempt " + attempt + " failed: " + e);
            }
        }
    }

    /**
     * Starts no more faults, ends those running now (each undoes its harm), and then brings back whatever is still
     * down: every node dead is restarted (together), every live node gets a SIGCONT (should a freeze have outlived
     * its fault), every proxy passes again.
     */
    void stopAndHeal() throws InterruptedException {
        stopped.countDown();
        scheduler.join(TimeUnit.MINUTES.toMillis(1));
        long deadline = System.nanoTime() + FAULT_END_WAIT.toNanos();
        for (Thread t : running) {
            t.join(Math.max(1, TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime())));
            if (t.isAlive()) {
                problems.add(t.getName() + " did not end within " + FAULT_END_WAIT.toMinutes() + " minutes of the stop");
            }
        }
        int[] dead = IntStream.range(0, cluster.size()).filter(n -> !cluster.isAlive(n)).toArray();
        if (dead.length > 0) {
            problems.add("node(s) " + java.util.Arrays.toString(dead) + " still down after every fault ended");
            restart(dead);
        }
        IntStream.range(0, cluster.size()).filter(cluster::isAlive).forEach(cluster::resume);
        cluster.proxies().forEach(FaultProxy::pass);
    }

    @Override
    public void close() {
        stopped.countDown();
    }
}
