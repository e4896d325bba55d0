package io.breakwater.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import io.breakwater.breaker.BreakerPresets;
import io.breakwater.breaker.CircuitBreaker;
import io.breakwater.breaker.CircuitBreakerConfig;
import io.breakwater.breaker.CircuitBreakerState;
import io.breakwater.breaker.StateTransition;
import io.breakwater.consumer.ConsumerStats;
import io.breakwater.consumer.GatedConsumer;
import io.breakwater.jdbc.CircuitBreakerDataSource;
import io.breakwater.jdbc.SqlStateClassifier;
import io.breakwater.testkit.RealBroker;
import io.breakwater.testkit.TestBroker;
import io.breakwater.testkit.FaultProxy;
import java.net.InetSocketAddress;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The guide's pattern made whole, end to end. 10,000 records go to a topic of 4 partitions on a real broker (the embedded
 * Kafka here) at about 500 a second; a gated consumer writes each to this machine's PostgreSQL ({@code INSERT ... ON CONFLICT DO
 * NOTHING} by key) through the database guard ({@link CircuitBreakerDataSource} over a HikariCP pool), and is gated by
 * the guard's own breaker ({@code recordOutcomes(false)}: the guard records, the consumer only reads it). PostgreSQL is
 * reached through a {@link FaultProxy}, black-holed for 10 s once half the records are in the table.
 *
 * <p>The pool's connections have pgjdbc's {@code socketTimeout=3} (seconds), as a consumer's database I/O should
 * have a bound: without one, an insert in progress when the database froze holds the consumer's thread until the
 * database answers again, and the consumer never gets to pause (it still commits nothing unhandled). The breaker is
 * the postgres preset with a reset timeout of 6 s, so that trials come while PostgreSQL is still away (they fail, and
 * everything pauses again) and after it is back (they succeed, and everything resumes).
 */
@RealBroker
@Timeout(240)
class ConsumerToDatabaseIT {

    private static final int RECORDS = 10_000;
    private static final int PARTITIONS = 4;
    private static final Duration BLACK_HOLE = Duration.ofSeconds(10);
    private static final Duration WAIT = Duration.ofSeconds(90);

    private TestBroker kafka;

    private final List<String> callsWhileOpen = new CopyOnWriteArrayList<>();
    private final List<GatedConsumer<String, String>> members = new CopyOnWriteArrayList<>();
    private final AtomicInteger inserted = new AtomicInteger();
    // Acknowledged and failed sends of the producer.
    private final AtomicInteger acked = new AtomicInteger();
    private final List<String> sendFailures = new CopyOnWriteArrayList<>();
    private String table;
    private FaultProxy proxy;
    private HikariDataSource pool;
    private CircuitBreakerDataSource db;
    private BreakerWatch breakerWatch;
    private GroupWatch watch;
    private Thread producer;
    // The group's lag when the consumer was seen paused, and once it had grown while paused (for the report).
    private long lagAtPause;
    // Opened once the consumers are paused and their lag measured: the producer holds its records past HELD until then,
    // so that records keep coming while the consumers are paused however long the pause took to begin.
    private final java.util.concurrent.CountDownLatch pauseMeasured = new java.util.concurrent.CountDownLatch(1);
    private static final int HELD = RECORDS * 11 / 20;
    private long lagGrown;

    @BeforeEach
    void start(TestBroker broker) throws Exception {
        kafka = broker;
        table = Postgres.createTable("bw_consumer");
        proxy = new FaultProxy("postgres", new InetSocketAddress(Postgres.HOST, Postgres.PORT));
        db = guardedPool();
        breakerWatch = new BreakerWatch("orders-db", db.breaker());
        String topic = "orders-" + UUID.randomUUID();
        kafka.createTopic(topic, PARTITIONS, 1, Map.of());
        watch = new GroupWatch(kafka.admin(), topic, "writers-" + topic);
        watch.awaitLeaders(PARTITIONS);
    }

    /** A HikariCP pool to PostgreSQL through the proxy, guarded by a breaker of its own. */
    private CircuitBreakerDataSource guardedPool() {
        HikariConfig config = new HikariConfig();
        config.setPoolName("consumer-to-db");
        config.setJdbcUrl(Postgres.url("127.0.0.1", proxy.port()) + "?socketTimeout=3");
        config.setUsername(Postgres.USER);
        config.setPassword(Postgres.PASSWORD);
        config.setMaximumPoolSize(4);
        pool = new HikariDataSource(config);
        CircuitBreaker breaker = CircuitBreaker.of(CircuitBreakerConfig.from(BreakerPresets.postgres("orders-db"))
                .resetTimeout(Duration.ofSeconds(6)).build());
        return CircuitBreakerDataSource.wrap(pool, breaker);
    }

    @AfterEach
    void stop() throws Exception {
        proxy.pass();
        if (producer != null) {
            producer.interrupt();
            producer.join(10_000);
        }
        members.forEach(m -> m.close(Duration.ofSeconds(10)));
        breakerWatch.close();
        db.close();
        proxy.close();
        Postgres.dropTable(table);
    }

    /** A member of the writers' group, started: each record becomes a row, through the guard. */
    private GatedConsumer<String, String> member(String name) {
        CircuitBreaker breaker = db.breaker();
        String insert = "INSERT INTO " + table + " (k, v) VALUES (?, ?) ON CONFLICT (k) DO NOTHING";
        GatedConsumer<String, String> member = GatedConsumer.builder(
                        watch.consumerProperties(kafka.bootstrapServers(), Duration.ofMinutes(5)),
                        new StringDeserializer(), new StringDeserializer(), breaker)
                .name(name)
                .topics(watch.topic)
                .recordOutcomes(false)                           // the guard records; the consumer reads its breaker
                .countsAsFailure(SqlStateClassifier.defaults())  // the guard's own classification
                .rebalanceListener(watch.listener(name))
                .recordHandler(r -> {
                    if (breaker.state().rejectsCalls()) {
                        callsWhileOpen.add(name + " " + r.partition() + "@" + r.offset() + " " + breaker.state());
                    }
                    try (Connection c = db.getConnection(); PreparedStatement s = c.prepareStatement(insert)) {
                        s.setLong(1, Long.parseLong(r.key()));
                        s.setString(2, r.value());
                        inserted.addAndGet(s.executeUpdate());
                    }
                    watch.succeeded(r.partition(), r.offset());
                })
                .build();
        members.add(member);
        return member.start();
    }

    /**
     * Produces the records at about 500 a second on a thread of its own, keys 0 to 9,999, round robin over partitions;
     * from record {@link #HELD} on, only once the consumers are paused (or after a minute, for a test failing before).
     */
    private void startProducing() {
        producer = new Thread(() -> {
            try (KafkaProducer<String, String> p = Records.producer(kafka.bootstrapServers(), Map.of())) {
                long start = System.nanoTime();
                for (int i = 0; i < RECORDS && !Thread.currentThread().isInterrupted(); i++) {
                    if (i == HELD) {
                        try {
                            pauseMeasured.await(60, java.util.concurrent.TimeUnit.SECONDS);
                        } catch (InterruptedException e) {
                            return;
                        }
                        start = System.nanoTime() - i * 2_000_000L;   // the same pace from here, not a burst to catch up
                    }
                    p.send(new ProducerRecord<>(watch.topic, i % PARTITIONS, Integer.toString(i), "order-" + i), (m, e) -> {
                        if (e == null) {
                            acked.incrementAndGet();
                        } else {
                            sendFailures.add(e.toString());
                        }
                    });
                    long due = start + i * 2_000_000L;
                    java.util.concurrent.locks.LockSupport.parkNanos(due - System.nanoTime()); // the producer's pace
                }
                p.flush();
            }
        }, "orders-producer");
        producer.start();
    }

    private long[] tableFigures() throws Exception {
        try (Connection c = DriverManager.getConnection(Postgres.url(Postgres.HOST, Postgres.PORT), Postgres.USER,
                Postgres.PASSWORD); Statement s = c.createStatement();
             ResultSet rows = s.executeQuery("SELECT count(*), min(k), max(k) FROM " + table)) {
            rows.next();
            return new long[] {rows.getLong(1), rows.getLong(2), rows.getLong(3)};
        }
    }

    /** Black-holes PostgreSQL once half the records are in, and checks the pause while it lasts; returns when it passes again. */
    private void outageHalfway(Runnable whilePaused, GatedConsumer<?, ?>... paused) throws Exception {
        await().atMost(WAIT).until(() -> inserted.get() >= RECORDS / 2);
        long fault = System.nanoTime();
        proxy.blackHole();
        await().atMost(Duration.ofSeconds(10)).until(() -> breakerWatch.hasOpened(fault));
        await().atMost(Duration.ofSeconds(10)).until(() -> members.stream().allMatch(m -> m.stats().paused()));
        // Committed offsets never pass a failure: each partition's is exactly one past its last row written.
        await().atMost(Duration.ofSeconds(30)).until(() -> watch.committed().equals(watch.handledPerPartition()));
        Map<Integer, Long> committedAtPause = watch.committed();
        lagAtPause = watch.lag(PARTITIONS);
        pauseMeasured.countDown();
        whilePaused.run();
        await().atMost(Duration.ofSeconds(30)).until(() -> watch.lag(PARTITIONS) >= lagAtPause + 300);
        lagGrown = watch.lag(PARTITIONS);

        // Paused while the breaker is OPEN. Its first trial comes at the reset timeout, while the database is still away:
        // it resumes the members for a moment, fails, and pauses them again. When the checks above took that long,
        // the members may be in that trial now: then they must be paused again once it has failed.
        try {
            await().atMost(Duration.ofSeconds(5)).until(() -> members.stream().allMatch(m -> m.stats().paused())
                    || lastHeard(fault) == CircuitBreakerState.HALF_OPEN);
        } catch (org.awaitility.core.ConditionTimeoutException e) {
            throw new AssertionError("not every member paused while the breaker is " + lastHeard(fault) + ": "
                    + members.stream().map(GatedConsumer::stats).toList(), e);
        }
        assertThat(watch.committed()).isEqualTo(committedAtPause);
        // The outage lasts its 10 s whatever was checked, and no handler call starts while the breaker is open.
        Duration left = Duration.ofNanos(Math.max(1_000_000, BLACK_HOLE.toNanos() - (System.nanoTime() - fault)));
        await().during(left).atMost(left.plusSeconds(5)).until(callsWhileOpen::isEmpty);
        proxy.pass();
    }

    /** The state of the last transition heard since {@code fault}; OPEN when none was. */
    private CircuitBreakerState lastHeard(long fault) {
        List<StateTransition> since = breakerWatch.between(fault, System.nanoTime());
        return since.isEmpty() ? CircuitBreakerState.OPEN : since.get(since.size() - 1).to();
    }

    private void assertEverythingWrittenOnceAndCommitted() throws Exception {
        try {
            await().atMost(WAIT).until(() -> acked.get() + sendFailures.size() == RECORDS);
            assertThat(sendFailures).isEmpty();
            await().atMost(WAIT).until(() -> db.breaker().state() == CircuitBreakerState.CLOSED);
            await().atMost(WAIT).until(() -> tableFigures()[0] == RECORDS);
            await().atMost(WAIT).until(() -> watch.committed().equals(watch.endOffsets(PARTITIONS)));
        } catch (org.awaitility.core.ConditionTimeoutException e) {
            throw new AssertionError("not done: " + acked + " sends acknowledged, failed " + sendFailures + ", "
                    + tableFigures()[0] + " rows, committed " + watch.committed() + " of "
                    + watch.endOffsets(PARTITIONS) + ", breaker " + db.breaker().snapshot() + ", members "
                    + members.stream().map(GatedConsumer::stats).toList() + ", transitions "
                    + breakerWatch.heard().stream().map(h -> h.transition().toString()).toList() + ", loop threads "
                    + loopThreads(), e);
        }

        assertThat(tableFigures()).containsExactly(RECORDS, 0, RECORDS - 1); // 10,000 distinct keys: no gap
        assertThat(watch.committed().values()).containsOnly((long) RECORDS / PARTITIONS);
        assertThat(callsWhileOpen).isEmpty();
        assertThat(breakerWatch.heard()).anyMatch(h -> h.transition().to() == CircuitBreakerState.OPEN);
        assertThat(watch.rebalances).noneMatch(r -> r.contains(": lost"));
        long redelivered = members.stream().mapToLong(m -> m.stats().recordsRedelivered()).sum();
        System.out.printf("%s: %d rows, transitions %s, lag %d then %d while paused, redelivered %d, pauses %s, "
                        + "time paused %s, rebalances %d%n", getClass().getSimpleName(), tableFigures()[0],
                breakerWatch.heard().stream().map(h -> h.transition().from() + "->" + h.transition().to()).toList(),
                lagAtPause, lagGrown, redelivered, members.stream().map(m -> m.stats().pauses()).toList(),
                members.stream().map(m -> m.stats().timePaused()).toList(), watch.rebalances.size());
    }

    /** Where the consumers' threads are, for a test that failed. */
    private static String loopThreads() {
        StringBuilder out = new StringBuilder();
        Thread.getAllStackTraces().forEach((thread, stack) -> {
            if (thread.getName().startsWith("breakwater-consumer-")) {
                out.append('\n').append(thread.getName()).append(' ').append(thread.getState());
                for (int i = 0; i < Math.min(stack.length, 25); i++) {
                    out.append("\n    at ").append(stack[i]);
                }
            }
        });
        return out.toString();
    }

    @Test
    void aDatabaseBlackHoledForTenSecondsPausesTheConsumerWithoutARebalanceAndEveryRecordBecomesOneRow() throws Exception {
        GatedConsumer<String, String> writer = member("writer");
        startProducing();
        outageHalfway(() -> { });
        assertEverythingWrittenOnceAndCommitted();

        assertThat(watch.rebalances).hasSize(1).first().asString().startsWith("writer: assigned ");
        ConsumerStats stats = writer.stats();
        assertThat(stats.pauses()).isPositive();
        assertThat(stats.state()).isEqualTo(ConsumerStats.State.RUNNING);
        assertThat(watch.noGapNoRepeat()).isTrue();
    }

    @Test
    void aSecondConsumerJoiningWhileTheDatabaseIsAwayStartsPausedAndEveryRecordBecomesOneRow() throws Exception {
        GatedConsumer<String, String> first = member("first");
        startProducing();
        outageHalfway(() -> {
            GatedConsumer<String, String> second = member("second");
            // A join and a rebalance, beside another IT's JVM: as long as it takes, the outage waits for it.
            await().atMost(Duration.ofSeconds(30)).until(() -> second.stats().assignedPartitions() > 0
                    && first.stats().assignedPartitions() < PARTITIONS);
            await().atMost(Duration.ofSeconds(30)).until(() -> GroupWatch.allPaused(PARTITIONS, first, members.get(1)));
        });
        assertEverythingWrittenOnceAndCommitted();

        assertThat(watch.rebalances).filteredOn(r -> r.startsWith("first: revoked")).hasSize(1);
        assertThat(watch.rebalances).filteredOn(r -> r.startsWith("second: assigned")).hasSize(1);
        assertThat(members.get(1).stats().recordsHandled()).isPositive();
    }

    /** Sends records {@code from} to {@code to} - 1 (keys and values as the producer thread's) and waits for each. */
    private void produce(int from, int to) throws Exception {
        try (KafkaProducer<String, String> p = Records.producer(kafka.bootstrapServers(), Map.of())) {
            for (int i = from; i < to; i++) {
                p.send(new ProducerRecord<>(watch.topic, i % PARTITIONS, Integer.toString(i), "order-" + i)).get();
            }
        }
    }

    @Test
    void aDataSourceClosedBeforeItsConsumerHoldsTheRecordsBackForTheNextRunInsteadOfHandingThemOver() throws Exception {
        // An application stopping in the wrong order: its pool (and guard) closed while its consumer still runs. Each
        // record then fails with SQL state 08003, which nothing records into the breaker. They used to go to the
        // failed-record handler after maxAttempts (the default one logs them) and be committed past: lost.
        GatedConsumer<String, String> first = member("first");
        produce(0, 100);
        await().atMost(WAIT).until(() -> tableFigures()[0] == 100 && watch.committed().equals(watch.endOffsets(PARTITIONS)));
        io.breakwater.testsupport.LogLines log = io.breakwater.testsupport.LogLines.fromNow();
        db.close();
        produce(100, 200);

        // The loop meets the closed pool: it says so (or, as it did, hands the records over).
        await().atMost(WAIT).until(() -> !log.containing("Consumer 'first'",
                "the CircuitBreakerDataSource of breaker 'orders-db' is closed;").isEmpty()
                || first.stats().recordsFailed() + first.stats().recordsDropped() > 0);
        await("nothing handed over nor committed past while the pool is closed").during(Duration.ofSeconds(3))
                .atMost(Duration.ofSeconds(10))
                .until(() -> first.stats().recordsFailed() + first.stats().recordsDropped() == 0
                        && watch.committed().values().stream().allMatch(offset -> offset == 100 / PARTITIONS));
        first.close(Duration.ofSeconds(10));

        db = guardedPool();   // the next run of the application
        member("second");
        await().atMost(WAIT).until(() -> watch.committed().equals(watch.endOffsets(PARTITIONS)));
        assertThat(tableFigures()).as("every record one row: none lost").containsExactly(200, 0, 199);
        assertThat(first.stats().handlerFailures()).as("the closed pool's answers are no attempts").isZero();
    }
}
