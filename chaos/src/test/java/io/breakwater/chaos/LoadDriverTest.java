package io.breakwater.chaos;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.breakwater.breaker.CircuitBreaker;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Consumer;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LoadDriverTest {

    @TempDir
    Path dir;

    /** A workload whose sends do what the test says. */
    private record Fake(String name, Sender sender) implements Workload {
        interface Sender {
            void send(Event event, Consumer<Outcome> done) throws Exception;
        }

        @Override
        public void send(Event event, Consumer<Outcome> done) throws Exception {
            sender.send(event, done);
        }

        @Override
        public List<CircuitBreaker> breakers() {
            return List.of();
        }

        @Override
        public long spillPending() {
            return 0;
        }

        @Override
        public void close(Duration timeout) {
        }
    }

    private List<History.Op> drive(Fake.Sender sender, int threads, int keys, int count) throws Exception {
        Path file = dir.resolve("history.tsv");
        LoadDriver driver;
        try (HistoryWriter history = new HistoryWriter(file)) {
            driver = new LoadDriver(new Fake("fake", sender), threads, keys, 500, new RunClock(), history);
            driver.start();
            await().atMost(Duration.ofSeconds(30)).until(() -> driver.issued() >= count);
            driver.stop();
            driver.writePending();
        }
        return History.read(file).ops();
    }

    @Test
    void eachKeyIsPublishedByOneThreadInSeqOrderAndEveryIdIsUnique() throws Exception {
        AtomicLong offsets = new AtomicLong();
        List<History.Op> ops = drive((event, done) -> done.accept(Outcome.ok(0, offsets.getAndIncrement())), 2, 5, 200);
        assertThat(ops.stream().map(History.Op::id).distinct().count()).isEqualTo(ops.size());
        Map<String, List<History.Op>> byKey = ops.stream().collect(Collectors.groupingBy(History.Op::key));
        assertThat(byKey.keySet()).containsExactlyInAnyOrder("k-0", "k-1", "k-2", "k-3", "k-4");
        byKey.values().forEach(list -> {
            list.sort(Comparator.comparingLong(History.Op::invokeMicros));
            for (int i = 0; i < list.size(); i++) {
                assertThat(list.get(i).seq()).as("seq of the %d-th event of %s", i, list.get(i).key()).isEqualTo(i);
            }
        });
        assertThat(ops).allMatch(op -> op.workload().equals("fake") && op.outcome().kind() == Outcome.Kind.OK
                && op.completeMicros() >= op.invokeMicros());
    }

    @Test
    void anOutcomeHeardLaterAThrowAndASilenceEachEndUpInTheHistoryOnce() throws Exception {
        ConcurrentLinkedQueue<Consumer<Outcome>> later = new ConcurrentLinkedQueue<>();
        List<History.Op> ops = drive((event, done) -> {
            switch ((int) (event.seq() % 3)) {
                case 0 -> later.add(done); // answered after the call returned
                case 1 -> throw new IllegalStateException("the producer is closed");
                default -> { } // never answered
            }
            if (later.size() > 2) {
                later.poll().accept(new Outcome(Outcome.Kind.FAIL, -1, -1, "TimeoutException"));
            }
        }, 1, 1, 60);
        assertThat(ops.stream().map(History.Op::id).distinct().count()).isEqualTo(ops.size());
        assertThat(ops).filteredOn(op -> op.seq() % 3 == 1).isNotEmpty()
                .allMatch(op -> op.outcome().format().equals("fail IllegalStateException"));
        assertThat(ops).filteredOn(op -> op.seq() % 3 == 2).isNotEmpty()
                .allMatch(op -> op.outcome().kind() == Outcome.Kind.PENDING && op.completeMicros() == -1);
        assertThat(ops).filteredOn(op -> op.seq() % 3 == 0 && op.outcome().kind() == Outcome.Kind.FAIL).isNotEmpty();
    }

    @Test
    void theCallTimeIsHowLongTheCallerWasBlocked() throws Exception {
        List<History.Op> ops = drive((event, done) -> {
            if (event.seq() == 3) {
                LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(50)); // a send() that blocks its caller
            }
            done.accept(Outcome.ok(0, event.seq()));
        }, 1, 1, 10);
        assertThat(ops).filteredOn(op -> op.seq() == 3).singleElement()
                .satisfies(op -> assertThat(op.callMicros()).isGreaterThanOrEqualTo(50_000));
    }

    @Test
    void anOperationStillUnansweredAfterTheWaitIsPendingEvenThoughClosingItsWorkloadAnswersIt() throws Exception {
        ConcurrentLinkedQueue<Consumer<Outcome>> unanswered = new ConcurrentLinkedQueue<>();
        Workload hung = new Fake("hung", (event, done) -> {
            if (event.seq() == 2) {
                unanswered.add(done); // hangs until its producer is closed
            } else {
                done.accept(Outcome.ok(0, event.seq()));
            }
        });
        Workload closing = new Workload() { // closing fails what is in flight, as KafkaProducer.close() does
            public String name() {
                return hung.name();
            }

            public void send(Event event, Consumer<Outcome> done) throws Exception {
                hung.send(event, done);
            }

            public List<CircuitBreaker> breakers() {
                return List.of();
            }

            public long spillPending() {
                return 0;
            }

            public void close(Duration timeout) {
                unanswered.forEach(done -> done.accept(new Outcome(Outcome.Kind.FAIL, -1, -1, "KafkaException")));
            }
        };
        Path file = dir.resolve("history.tsv");
        int pending;
        try (HistoryWriter history = new HistoryWriter(file)) {
            LoadDriver driver = new LoadDriver(closing, 1, 1, 500, new RunClock(), history);
            driver.start();
            await().atMost(Duration.ofSeconds(30)).until(() -> driver.issued() >= 5);
            driver.stop();
            ChaosRun run = new ChaosRun(ChaosOptions.parse("--out", dir.toString()), new java.io.PrintStream(
                    java.io.OutputStream.nullOutputStream()));
            pending = run.settle(List.of(driver), List.of(closing), Duration.ofMillis(200), Duration.ofMillis(200));
        }
        assertThat(unanswered).hasSize(1);
        assertThat(pending).isEqualTo(1);
        assertThat(History.read(file).ops()).filteredOn(op -> op.seq() == 2).singleElement()
                .satisfies(op -> assertThat(op.outcome()).isEqualTo(Outcome.PENDING));
    }

    @Test
    void badDriverSettingsAreRefused() {
        assertThatThrownBy(() -> new LoadDriver(new Fake("f", (e, d) -> { }), 3, 2, 10, new RunClock(), null))
                .hasMessage("threads must be in [1, keys=2], but was 3");
        assertThatThrownBy(() -> new LoadDriver(new Fake("f", (e, d) -> { }), 1, 2, 0, new RunClock(), null))
                .hasMessage("ratePerSecond must be >= 1, but was 0");
    }
}
