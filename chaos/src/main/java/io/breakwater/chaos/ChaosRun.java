package io.breakwater.chaos;

import io.breakwater.breaker.CircuitBreaker;
import io.breakwater.breaker.Subscription;
import io.breakwater.testkit.ForkedKafkaCluster;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

/**
 * One run: the cluster, the five workloads at once, the nemesis for the run's length; then every fault undone,
 * the load on for {@value #RECOVERY_SECONDS} s more, every operation answered, every spill replayed; then every
 * topic read from its start, the history checked, and the summary written. The run's directory keeps the
 * history, the spill and the brokers' output.
 */
final class ChaosRun {

    static final long RECOVERY_SECONDS = 20;
    static final Duration ANSWER_WAIT = Duration.ofSeconds(120);
    static final Duration REPLAY_WAIT = Duration.ofSeconds(180);
    static final Duration START_HEALTHY_WAIT = Duration.ofSeconds(60);
    static final Duration HEALED_WAIT = Duration.ofSeconds(180);
    static final Duration CLOSE_WAIT = Duration.ofSeconds(30);
    static final Duration READ_WAIT = Duration.ofSeconds(120);
    static final List<String> WORKLOADS = List.of("bus-spill", "bus", "wrapper-blocking", "wrapper-nonblocking", "interceptor");

    /**
     * What a run found.
     *
     * @param check     the checker's verdict
     * @param stats     what each kind of fault did to each workload
     * @param history   the history, as read back from its file
     * @param dir       the run's directory
     * @param summary   the summary, in Markdown
     * @param problems  what went wrong around the checks (a fault that could not be undone, a wait that timed out)
     * @param planned   faults in the schedule
     * @param executed  faults that took effect
     * @param unmet     the {@link Minimums} the run missed
     */
    record Result(Checker.Result check, FaultStats stats, History history, Path dir, String summary, List<String> problems,
                  int planned, int executed, List<String> unmet) {
        /** Every check passed, nothing went wrong around them, and the run did what {@link Minimums} asks. */
        boolean passed() {
            return check.passed() && problems.isEmpty() && unmet.isEmpty();
        }
    }

    private final ChaosOptions options;
    private final PrintStream out;
    private final long begun = System.nanoTime();
    // Starts with the load: the schedule's times and the history's count from there.
    private RunClock clock;
    private final List<String> problems = new ArrayList<>();

    ChaosRun(ChaosOptions options, PrintStream out) {
        this.options = options;
        this.out = out;
    }

    Result run() throws Exception {
        String started = DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss").withZone(ZoneOffset.UTC).format(Instant.now());
        Path dir = Files.createDirectories(options.outDir().resolve("run-" + started + "-seed-" + options.seed()));
        Path historyFile = dir.resolve("history.tsv");
        List<Fault> schedule = FaultSchedule.generate(options.seed(), options.duration().toMillis());
        say("seed %d, %d faults planned over %.1f min; history in %s", options.seed(), schedule.size(),
                options.duration().toMillis() / 60_000.0, historyFile);
        List<Workload> workloads = new ArrayList<>();
        List<LoadDriver> drivers = new ArrayList<>();
        List<Subscription> listening = new ArrayList<>();
        int executed = 0;
        long endMicros;
        try (HistoryWriter history = new HistoryWriter(historyFile);
             ForkedKafkaCluster cluster = ChaosCluster.start(dir.resolve("broker-logs"))) {
            writeMeta(history, schedule.size());
            ChaosCluster.createTopics(cluster, WORKLOADS.stream().map(w -> "chaos-" + w).toList());
            List<String> topics = WORKLOADS.stream().map(w -> "chaos-" + w).toList();
            require(ChaosCluster.awaitHealthy(cluster, topics, ChaosCluster.REPLICATION_FACTOR, START_HEALTHY_WAIT),
                    "the topics to be fully replicated at the start");
            workloads.addAll(workloads(cluster, dir));
            clock = new RunClock();
            for (Workload w : workloads) {
                for (CircuitBreaker breaker : w.breakers()) {
                    listening.add(breaker.onTransition(t -> history.write(new History.Transition(clock.micros(), w.name(),
                            t.breaker(), t.from(), t.to(), t.reason()).line())));
                }
                drivers.add(new LoadDriver(w, options.threads(), options.keys(), options.rate(), clock, history));
            }
            drivers.forEach(LoadDriver::start);
            try (Nemesis nemesis = new Nemesis(cluster, schedule, clock, history)) {
                nemesis.start();
                say("load and faults running");
                TimeUnit.MILLISECONDS.sleep(Math.max(0, options.duration().toMillis() - clock.micros() / 1000));
                say("undoing every fault");
                nemesis.stopAndHeal();
                executed = nemesis.executed();
                problems.addAll(nemesis.problems());
                nemesis.notes().forEach(n -> say("note: %s", n));
            }
            require(ChaosCluster.awaitHealthy(cluster, topics, ChaosCluster.MIN_INSYNC_REPLICAS, HEALED_WAIT),
                    "the healed cluster to have every partition led and in sync on 2 replicas within " + HEALED_WAIT.toSeconds() + " s");
            say("cluster healthy; load goes on for %d s", RECOVERY_SECONDS);
            TimeUnit.SECONDS.sleep(RECOVERY_SECONDS);
            for (LoadDriver d : drivers) {
                d.stop();
            }
            endMicros = clock.micros();
            int pending = settle(drivers, workloads, ANSWER_WAIT, REPLAY_WAIT);
            listening.forEach(Subscription::close);
            workloads.clear();
            say("%d operations, %d pending; reading every topic", drivers.stream().mapToLong(LoadDriver::issued).sum(), pending);
            Map<String, List<TopicReader.Stored>> stored = TopicReader.readAll(cluster.bootstrapServers(), topics,
                    READ_WAIT);
            history.close();
            History read = History.read(historyFile);
            Checker.Result check = Checker.check(read.ops(), stored);
            FaultStats stats = FaultStats.of(read, WORKLOADS, endMicros);
            List<String> unmet = Minimums.unmet(WORKLOADS, check.outcomes(), read.faults(), schedule.size(), executed,
                    options.duration().toMillis() / 60_000.0, options.rate());
            String summary = new Report(options, read, check, stats, schedule.size(), executed, problems, unmet, historyFile)
                    .markdown();
            Files.writeString(dir.resolve("RESULTS.md"), summary);
            if (options.results() != null) {
                Files.writeString(options.results(), summary);
            }
            return new Result(check, stats, read, dir, summary, List.copyOf(problems), schedule.size(), executed, unmet);
        } finally {
            listening.forEach(Subscription::close);
            drivers.forEach(LoadDriver::halt);
            workloads.forEach(w -> w.close(Duration.ZERO));
        }
    }

    /**
     * The longest a run of {@code faults} may take while each bounded wait ends in time: the cluster's start and
     * health, the faults, the nemesis's stop (a minute for its scheduler, {@link Nemesis#FAULT_END_WAIT} for a
     * fault's thread), the healed cluster, the recovery load, the callers' return, the answers, the replays, the
     * workloads' closes, and the read of every topic.
     */
    static Duration boundedWaits(Duration faults) {
        return ChaosCluster.START_TIMEOUT.plus(START_HEALTHY_WAIT).plus(faults).plus(Duration.ofMinutes(1))
                .plus(Nemesis.FAULT_END_WAIT).plus(HEALED_WAIT).plus(Duration.ofSeconds(RECOVERY_SECONDS))
                .plus(LoadDriver.STOP_WAIT).plus(ANSWER_WAIT).plus(REPLAY_WAIT).plus(CLOSE_WAIT.multipliedBy(WORKLOADS.size()))
                .plus(READ_WAIT);
    }

    /**
     * Once the load stopped: waits up to {@code answers} for every operation to be answered, writes those still
     * open as {@code pending} (hung: closing their workload would answer them with a failure and hide that), waits
     * up to {@code replays} for every spill to be replayed, then closes the workloads.
     *
     * @return the operations written as pending
     */
    int settle(List<LoadDriver> drivers, List<Workload> workloads, Duration answers, Duration replays)
            throws InterruptedException {
        require(await(answers, () -> drivers.stream().allMatch(d -> d.open() == 0)),
                "every operation to be answered within " + answers.toSeconds() + " s of the load's end");
        int pending = drivers.stream().mapToInt(LoadDriver::writePending).sum();
        say("load stopped, %d operations pending; waiting for the spills to be replayed", pending);
        require(await(replays, () -> workloads.stream().allMatch(w -> w.spillPending() == 0)),
                "every spill to be replayed within " + replays.toSeconds() + " s of the load's end");
        workloads.forEach(w -> w.close(CLOSE_WAIT));
        return pending;
    }

    private List<Workload> workloads(ForkedKafkaCluster cluster, Path dir) {
        Map<String, Object> props = ChaosCluster.producerProperties(cluster);
        Map<String, Object> blocking = new java.util.HashMap<>(props);
        blocking.put("max.block.ms", 10_000);
        Duration reset = options.resetTimeout();
        return List.of(
                new EventBusWorkload("bus-spill", props, reset, dir.resolve("spill.db")),
                new EventBusWorkload("bus", props, reset, null),
                ProducerWorkload.wrapped("wrapper-blocking", blocking, reset, false),
                ProducerWorkload.wrapped("wrapper-nonblocking", blocking, reset, true),
                ProducerWorkload.intercepted("interceptor", blocking, reset));
    }

    private void writeMeta(HistoryWriter history, int planned) {
        history.write(History.metaLine("command", options.command()));
        history.write(History.metaLine("seed", Long.toString(options.seed())));
        history.write(History.metaLine("minutes", Double.toString(options.duration().toMillis() / 60_000.0)));
        history.write(History.metaLine("rate", Integer.toString(options.rate())));
        history.write(History.metaLine("keys", Integer.toString(options.keys())));
        history.write(History.metaLine("threads", Integer.toString(options.threads())));
        history.write(History.metaLine("reset.timeout.ms", Long.toString(options.resetTimeout().toMillis())));
        history.write(History.metaLine("faults.planned", Integer.toString(planned)));
        history.write(History.metaLine("started", Instant.now().toString()));
    }

    private void require(boolean ok, String what) {
        if (!ok) {
            problems.add("timed out waiting for " + what);
            say("timed out waiting for %s", what);
        }
    }

    private static boolean await(Duration timeout, BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                return false;
            }
            TimeUnit.MILLISECONDS.sleep(200);
        }
        return true;
    }

    private void say(String format, Object... args) {
        out.printf("[chaos %7.1f s] %s%n", (System.nanoTime() - begun) / 1e9, String.format(java.util.Locale.ROOT, format, args));
        out.flush();
    }
}
