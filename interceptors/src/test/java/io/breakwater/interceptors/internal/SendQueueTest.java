package io.breakwater.interceptors.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.breakwater.breaker.CircuitBreaker;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The hand-over between callers and the sender thread. The queues here let an idle sender sleep for an hour, so a
 * wake-up that a caller or close() missed shows as a record or a close that waits, not as a delay of a tick.
 */
class SendQueueTest {

    private static final Duration HOUR = Duration.ofHours(1);
    private final Queue<String> sent = new ConcurrentLinkedQueue<>();
    private final List<SendQueue<String, String>> queues = new ArrayList<>();

    private SendQueue<String, String> queue(String name, int capacity) {
        SendQueue<String, String> q = new SendQueue<>(name, CircuitBreaker.ofDefaults(name), capacity, (record, callback) -> {
            sent.add(record.value());
            RecordMetadata metadata = new RecordMetadata(new TopicPartition(record.topic(), 0), 0, 0, 0, 0, 0);
            callback.onCompletion(metadata, null);
            return java.util.concurrent.CompletableFuture.completedFuture(metadata);
        }, HOUR);
        queues.add(q);
        return q;
    }

    @AfterEach
    void close() {
        queues.forEach(q -> q.close(Duration.ofSeconds(1)));
    }

    private static void awaitAsleep(Thread sender) {
        await().pollDelay(Duration.ZERO).pollInterval(Duration.ofMillis(1)).atMost(Duration.ofSeconds(5))
                .until(() -> LockSupport.getBlocker(sender) instanceof HandOff);
    }

    private static Thread sender(String name) {
        return Thread.getAllStackTraces().keySet().stream().filter(t -> t.getName().equals("breakwater-sender-" + name))
                .findFirst().orElseThrow();
    }

    @Test
    void aRecordQueuedWhileTheSenderSleepsIsHandedOverAtOnce() throws Exception {
        SendQueue<String, String> q = queue("asleep", 10);
        Thread sender = sender("asleep");
        for (int i = 0; i < 200; i++) {
            awaitAsleep(sender);
            Future<RecordMetadata> f = q.enqueue(new ProducerRecord<>("t", "k", "v" + i), null, null);
            assertThat(f.get(5, TimeUnit.SECONDS)).as("record %d, queued while the sender slept", i).isNotNull();
        }
        assertThat(sent).hasSize(200);
    }

    @Test
    void eachRecordQueuedAsTheSenderGoesToSleepIsHandedOverWithoutWaitingForItsNextLook() throws Exception {
        SendQueue<String, String> q = queue("racing", 10);
        java.util.Random random = new java.util.Random(42);
        for (int i = 0; i < 3_000; i++) {
            // A pause of 0-50 µs: the sender is spinning, saying it sleeps, or asleep when the record comes.
            LockSupport.parkNanos(random.nextInt(50_000));
            Future<RecordMetadata> f = q.enqueue(new ProducerRecord<>("t", "k", "v" + i), null, null);
            assertThat(f.get(5, TimeUnit.SECONDS)).as("record %d", i).isNotNull();
        }
        assertThat(sent).hasSize(3_000);
    }

    @Test
    void recordsFromTwoCallersAreAllHandedOverEachCallersInItsOrder() throws Exception {
        SendQueue<String, String> q = queue("two", 100_000);
        List<Thread> callers = new ArrayList<>();
        Queue<Future<RecordMetadata>> all = new ConcurrentLinkedQueue<>();
        for (int c = 0; c < 2; c++) {
            String caller = "c" + c;
            Thread t = new Thread(() -> {
                for (int i = 0; i < 20_000; i++) {
                    all.add(q.enqueue(new ProducerRecord<>("t", caller, caller + "-" + i), null, null));
                    if (i % 97 == 0) {
                        LockSupport.parkNanos(20_000);   // now and then a pause, so the sender runs dry and sleeps
                    }
                }
            });
            callers.add(t);
            t.start();
        }
        for (Thread t : callers) {
            t.join();
        }
        for (Future<RecordMetadata> f : all) {
            assertThat(f.get(5, TimeUnit.SECONDS)).isNotNull();
        }
        assertThat(sent).hasSize(40_000);
        for (String caller : List.of("c0", "c1")) {
            assertThat(sent.stream().filter(v -> v.startsWith(caller + "-")).map(v -> Integer.parseInt(v.substring(3))).toList())
                    .as("the records of %s, in the order queued", caller).isSorted().hasSize(20_000);
        }
    }

    /** Queues "held" in a {@link #held} queue, and waits until its sender holds it, waiting for its release. */
    private static Future<RecordMetadata> hold(SendQueue<String, String> q) {
        Future<RecordMetadata> held = q.enqueue(new ProducerRecord<>("t", "k", "held"), null, null);
        await().atMost(Duration.ofSeconds(5)).until(() -> q.size() == 0);
        return held;
    }

    /** Queues "slow": its callback says it was called back, then waits until {@code finish} opens. */
    private static Future<RecordMetadata> slow(SendQueue<String, String> q, java.util.concurrent.CountDownLatch calledBack,
                                               java.util.concurrent.CountDownLatch finish) {
        return q.enqueue(new ProducerRecord<>("t", "k", "slow"), (m, e) -> {
            calledBack.countDown();
            try {
                finish.await();
            } catch (InterruptedException interrupted) {
                Thread.currentThread().interrupt();
            }
        }, null);
    }

    /** A thread flushing {@code q}, started, once it waits. */
    private static Thread flushing(SendQueue<String, String> q) {
        Thread flusher = new Thread(q::awaitHandedOver, "flusher");
        flusher.start();
        await().atMost(Duration.ofSeconds(5)).until(() -> flusher.getState() == Thread.State.WAITING);
        return flusher;
    }

    /**
     * A queue whose sender, before each record, waits for {@code release}; then it sends and acknowledges it. A record
     * whose value is {@code refused} is refused at once instead, as a breaker refuses at hand-over.
     */
    private SendQueue<String, String> held(String name, CircuitBreaker breaker, int capacity,
                                           java.util.concurrent.CountDownLatch release) {
        SendQueue<String, String> q = new SendQueue<>(name, breaker, capacity, (record, callback) -> {
            if (record.value().equals("refused")) {
                return Refusals.refuse(new IllegalStateException("refused at hand-over"), record, callback);
            }
            try {
                release.await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            sent.add(record.value());
            RecordMetadata metadata = new RecordMetadata(new TopicPartition(record.topic(), 0), 0, 0, 0, 0, 0);
            callback.onCompletion(metadata, null);
            return java.util.concurrent.CompletableFuture.completedFuture(metadata);
        }, HOUR);
        queues.add(q);
        return q;
    }

    @Test
    void aFullQueueRefusesAtOnceAndTakesRecordsAgainOnceTheSenderMovesOn() throws Exception {
        java.util.concurrent.CountDownLatch release = new java.util.concurrent.CountDownLatch(1);
        SendQueue<String, String> q = held("full", CircuitBreaker.ofDefaults("full"), 3, release);
        Future<RecordMetadata> held = hold(q);
        List<Future<RecordMetadata>> queued = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            queued.add(q.enqueue(new ProducerRecord<>("t", "k", "q" + i), null, null));
        }
        Future<RecordMetadata> refused = q.enqueue(new ProducerRecord<>("t", "k", "over"), null, null);

        assertThat(q.size()).isEqualTo(3);
        assertThat(refused).isDone();
        assertThat(org.assertj.core.api.Assertions.catchThrowable(refused::get)).hasCauseInstanceOf(
                io.breakwater.interceptors.SendQueueFullException.class);
        release.countDown();
        for (Future<RecordMetadata> f : queued) {
            assertThat(f.get(5, TimeUnit.SECONDS)).isNotNull();
        }
        assertThat(held.get(5, TimeUnit.SECONDS)).isNotNull();
        assertThat(q.enqueue(new ProducerRecord<>("t", "k", "after"), null, null).get(5, TimeUnit.SECONDS)).isNotNull();
        assertThat(sent).containsExactly("held", "q0", "q1", "q2", "after");
    }

    @Test
    void aFlushWaitsForEveryRecordQueuedBeforeItThoughLaterOnesAreRefusedForWantOfRoom() throws Exception {
        // The bug: a flush waited for a count of records taken to reach the count queued, and a record refused for want
        // of room added one to each, so three refusals let the flush return with three records not yet handed over.
        java.util.concurrent.CountDownLatch release = new java.util.concurrent.CountDownLatch(1);
        SendQueue<String, String> q = held("flush-full", CircuitBreaker.ofDefaults("flush-full"), 2, release);
        hold(q);
        q.enqueue(new ProducerRecord<>("t", "k", "q0"), null, null);
        q.enqueue(new ProducerRecord<>("t", "k", "q1"), null, null);
        Thread flusher = flushing(q);
        for (int i = 0; i < 3; i++) {
            Future<RecordMetadata> refused = q.enqueue(new ProducerRecord<>("t", "k", "over" + i), null, null);
            assertThat(org.assertj.core.api.Assertions.catchThrowable(refused::get)).as("no room for over%d", i)
                    .hasCauseInstanceOf(io.breakwater.interceptors.SendQueueFullException.class);
        }
        flusher.join(200);
        assertThat(flusher.isAlive()).as("the flush still waits: held, q0 and q1 are not handed over").isTrue();
        release.countDown();
        flusher.join(5_000);
        assertThat(flusher.isAlive()).isFalse();
        assertThat(sent).containsExactly("held", "q0", "q1");
    }

    @Test
    void aFlushWaitsForTheRecordBeingHandedOverThoughTheBreakerOpensAndItsDrainTakesTheFlushsMark() throws Exception {
        java.util.concurrent.CountDownLatch release = new java.util.concurrent.CountDownLatch(1);
        CircuitBreaker breaker = CircuitBreaker.ofDefaults("flush-open");
        SendQueue<String, String> q = held("flush-open", breaker, 10, release);
        Future<RecordMetadata> held = hold(q);
        Future<RecordMetadata> queued = q.enqueue(new ProducerRecord<>("t", "k", "queued"), null, null);
        Thread flusher = flushing(q);

        breaker.forceOpen("test");
        await().atMost(Duration.ofSeconds(5)).until(queued::isDone);   // drained, and the mark with it

        flusher.join(200);
        assertThat(flusher.isAlive()).as("the flush still waits: 'held' is not handed over").isTrue();
        release.countDown();
        flusher.join(5_000);
        assertThat(flusher.isAlive()).isFalse();
        assertThat(held.get(5, TimeUnit.SECONDS)).isNotNull();
    }

    @Test
    void aFlushWaitsUntilAFailureTheBreakersDrainIsTellingIsTold() throws Exception {
        java.util.concurrent.CountDownLatch release = new java.util.concurrent.CountDownLatch(1);
        java.util.concurrent.CountDownLatch calledBack = new java.util.concurrent.CountDownLatch(1);
        java.util.concurrent.CountDownLatch finishCallback = new java.util.concurrent.CountDownLatch(1);
        CircuitBreaker breaker = CircuitBreaker.ofDefaults("flush-told");
        SendQueue<String, String> q = held("flush-told", breaker, 10, release);
        hold(q);
        Future<RecordMetadata> slow = slow(q, calledBack, finishCallback);
        Thread flusher = flushing(q);
        try {
            breaker.forceOpen("test");   // the drain fails 'slow', and is held in its callback
            assertThat(calledBack.await(5, TimeUnit.SECONDS)).isTrue();
            release.countDown();         // the sender hands 'held' over, then takes the flush's mark
            await().atMost(Duration.ofSeconds(5)).until(() -> q.size() == 0 && sent.contains("held"));

            flusher.join(200);
            assertThat(flusher.isAlive()).as("the flush still waits: the failure of 'slow' is being told").isTrue();
        } finally {
            finishCallback.countDown();
        }
        flusher.join(5_000);
        assertThat(flusher.isAlive()).isFalse();
        assertThat(slow.isDone()).isTrue();
    }

    @Test
    void aFlushMarkTheSendersOwnDrainTakesWaitsForTheBreakersDrainToTellItsFailuresToo() throws Exception {
        java.util.concurrent.CountDownLatch release = new java.util.concurrent.CountDownLatch(1);
        java.util.concurrent.CountDownLatch calledBack = new java.util.concurrent.CountDownLatch(1);
        java.util.concurrent.CountDownLatch finishCallback = new java.util.concurrent.CountDownLatch(1);
        CircuitBreaker breaker = CircuitBreaker.ofDefaults("flush-sender-drain");
        SendQueue<String, String> q = held("flush-sender-drain", breaker, 10, release);
        hold(q);
        slow(q, calledBack, finishCallback);
        q.enqueue(new ProducerRecord<>("t", "k", "refused"), null, null);
        Thread flusher = flushing(q);
        q.enqueue(new ProducerRecord<>("t", "k", "after"), null, null);
        try {
            breaker.forceOpen("test");   // the breaker's drain fails 'slow', and is held in its callback
            assertThat(calledBack.await(5, TimeUnit.SECONDS)).isTrue();
            release.countDown();         // the sender hands 'held' over; 'refused' is refused, and its drain takes the mark
            await().atMost(Duration.ofSeconds(5)).until(() -> q.size() == 0 && sent.contains("held"));

            flusher.join(200);
            assertThat(flusher.isAlive()).as("the flush still waits: the failure of 'slow' is being told").isTrue();
        } finally {
            finishCallback.countDown();
        }
        flusher.join(5_000);
        assertThat(flusher.isAlive()).isFalse();
    }

    @Test
    void aFlushWaitsForTheRecordBeingHandedOverThoughCloseWaitsForItAndTheBreakersDrainTakesTheMark() throws Exception {
        java.util.concurrent.CountDownLatch release = new java.util.concurrent.CountDownLatch(1);
        CircuitBreaker breaker = CircuitBreaker.ofDefaults("flush-closing");
        SendQueue<String, String> q = held("flush-closing", breaker, 10, release);
        hold(q);
        Future<RecordMetadata> queued = q.enqueue(new ProducerRecord<>("t", "k", "queued"), null, null);
        Thread flusher = flushing(q);
        Thread closer = new Thread(() -> q.close(Duration.ofSeconds(30)), "closer");
        java.util.concurrent.CountDownLatch drainsHeld = new java.util.concurrent.CountDownLatch(1);
        try {
            holdDrains(drainsHeld);
            breaker.forceOpen("test");   // its drain waits behind the held drain thread
            closer.start();              // close waits for the sender, which is still handing 'held' over
            await().atMost(Duration.ofSeconds(5)).until(() -> closer.getState() == Thread.State.TIMED_WAITING);
            releaseDrains(drainsHeld);   // the drain runs now, during close: it takes 'queued' and the flush's mark
            assertThat(queued.isDone()).isTrue();

            flusher.join(200);
            assertThat(flusher.isAlive()).as("the flush still waits: 'held' is not handed over").isTrue();
        } finally {
            drainsHeld.countDown();
            release.countDown();
        }
        flusher.join(5_000);
        closer.join(5_000);
        assertThat(flusher.isAlive()).isFalse();
        assertThat(sent).containsExactly("held");
    }

    @Test
    void aWaitingFlushTakesNoPlaceInTheQueue() throws Exception {
        java.util.concurrent.CountDownLatch release = new java.util.concurrent.CountDownLatch(1);
        SendQueue<String, String> q = held("flush-room", CircuitBreaker.ofDefaults("flush-room"), 1, release);
        hold(q);
        Thread flusher = flushing(q);

        Future<RecordMetadata> next = q.enqueue(new ProducerRecord<>("t", "k", "next"), null, null);

        assertThat(next.isDone()).as("queued, not refused as full").isFalse();
        assertThat(q.size()).as("records queued").isEqualTo(1);
        release.countDown();
        assertThat(next.get(5, TimeUnit.SECONDS)).isNotNull();
        flusher.join(5_000);
        assertThat(flusher.isAlive()).isFalse();
    }

    @Test
    void aFlushFromACallbackThatClosesDrainRunsDoesNotHoldCloseUp() throws Exception {
        java.util.concurrent.CountDownLatch release = new java.util.concurrent.CountDownLatch(1);
        java.util.concurrent.atomic.AtomicReference<SendQueue<String, String>> self = new java.util.concurrent.atomic.AtomicReference<>();
        SendQueue<String, String> q = held("flush-in-close", CircuitBreaker.ofDefaults("flush-in-close"), 10, release);
        self.set(q);
        try {
            q.enqueue(new ProducerRecord<>("t", "k", "held"), null, null);
            await().atMost(Duration.ofSeconds(5)).until(() -> q.size() == 0);   // the sender holds it, waiting
            Future<RecordMetadata> queued = q.enqueue(new ProducerRecord<>("t", "k", "queued"),
                    (m, e) -> self.get().awaitHandedOver(), null);
            Thread closer = new Thread(() -> q.close(Duration.ofMillis(100)), "closer");
            closer.start();
            closer.join(5_000);
            assertThat(closer.isAlive()).as("close returned: the flush in its drain's callback did not wait for it").isFalse();
            assertThat(org.assertj.core.api.Assertions.catchThrowable(() -> queued.get(1, TimeUnit.SECONDS)))
                    .hasRootCauseMessage(SendQueue.CLOSED_BEFORE_SENT);
        } finally {
            release.countDown();
        }
    }

    @Test
    void aRefusalAtHandOverRefusesWhatWasQueuedThenButNotWhatIsQueuedWhileThoseAreFailed() throws Exception {
        // The bug: after a refusal the sender failed records until the queue was empty, and a caller that queues again
        // as it hears of its failure (here its callback, on the sender thread) kept it failing records for good.
        java.util.concurrent.CountDownLatch release = new java.util.concurrent.CountDownLatch(1);
        java.util.concurrent.atomic.AtomicReference<SendQueue<String, String>> self = new java.util.concurrent.atomic.AtomicReference<>();
        java.util.concurrent.atomic.AtomicReference<Future<RecordMetadata>> later = new java.util.concurrent.atomic.AtomicReference<>();
        SendQueue<String, String> q = held("refused-then", CircuitBreaker.ofDefaults("refused-then"), 10, release);
        self.set(q);
        hold(q);
        Future<RecordMetadata> refused = q.enqueue(new ProducerRecord<>("t", "k", "refused"), null, null);
        Future<RecordMetadata> behind = q.enqueue(new ProducerRecord<>("t", "k", "behind"), (m, e) ->
                later.set(self.get().enqueue(new ProducerRecord<>("t", "k", "later"), null, null)), null);
        release.countDown();
        assertThat(org.assertj.core.api.Assertions.catchThrowable(() -> refused.get(5, TimeUnit.SECONDS)))
                .hasRootCauseMessage("refused at hand-over");
        assertThat(org.assertj.core.api.Assertions.catchThrowable(() -> behind.get(5, TimeUnit.SECONDS)))
                .as("queued behind the refused record: refused too").isInstanceOf(java.util.concurrent.ExecutionException.class);
        await().atMost(Duration.ofSeconds(5)).until(() -> later.get() != null);
        assertThat(later.get().get(5, TimeUnit.SECONDS)).as("queued once the refusal was heard: sent").isNotNull();
        assertThat(sent).containsExactly("held", "later");
    }

    @Test
    void closeWakesASleepingSenderInsteadOfWaitingForItsNextLook() {
        SendQueue<String, String> q = queue("closing", 10);
        Thread sender = sender("closing");
        awaitAsleep(sender);

        Duration left = q.close(Duration.ofSeconds(60));

        assertThat(left).as("time left of close's 60 s").isGreaterThan(Duration.ofSeconds(50));
        assertThat(sender.isAlive()).isFalse();
    }

    @Test
    void aDrainForAnOpenThatComesAfterTheBreakerWasResetLeavesTheRecordsQueuedSinceAlone() throws Exception {
        java.util.concurrent.CountDownLatch senderHeld = new java.util.concurrent.CountDownLatch(1);
        java.util.concurrent.CountDownLatch drainsHeld = new java.util.concurrent.CountDownLatch(1);
        CircuitBreaker breaker = CircuitBreaker.ofDefaults("late-drain");
        SendQueue<String, String> q = held("late-drain", breaker, 10, senderHeld);
        Future<RecordMetadata> first = q.enqueue(new ProducerRecord<>("t", "k", "first"), null, null);
        await().atMost(Duration.ofSeconds(5)).until(() -> q.size() == 0);   // the sender holds it
        holdDrains(drainsHeld);
        breaker.forceOpen("for a moment");
        breaker.reset("back");
        Future<RecordMetadata> second = q.enqueue(new ProducerRecord<>("t", "k", "second"), null, null);
        releaseDrains(drainsHeld);
        assertThat(second.isDone()).as("queued after the reset: not failed by the late drain").isFalse();
        senderHeld.countDown();
        first.get(5, TimeUnit.SECONDS);
        second.get(5, TimeUnit.SECONDS);
        assertThat(sent).containsExactly("first", "second");
    }
    @Test
    void aDrainForAnOpenThatComesOnceTheRetryTimeHasComeLeavesTheTrialQueued() throws Exception {
        // The bug: the late drain failed every queued record while the breaker's state was OPEN, even once its retry
        // time had come and the record waiting was the trial that would move it to HALF_OPEN.
        java.util.concurrent.CountDownLatch senderHeld = new java.util.concurrent.CountDownLatch(1);
        java.util.concurrent.CountDownLatch drainsHeld = new java.util.concurrent.CountDownLatch(1);
        io.breakwater.breaker.ManualClock clock = new io.breakwater.breaker.ManualClock();
        CircuitBreaker breaker = CircuitBreaker.of(io.breakwater.breaker.CircuitBreakerConfig.builder("retry-due-drain")
                .failureThreshold(1).resetTimeout(Duration.ofSeconds(30)).clock(clock).build());
        SendQueue<String, String> q = held("retry-due-drain", breaker, 10, senderHeld);
        Future<RecordMetadata> first = q.enqueue(new ProducerRecord<>("t", "k", "first"), null, null);
        await().atMost(Duration.ofSeconds(5)).until(() -> q.size() == 0);   // the sender holds it
        holdDrains(drainsHeld);
        breaker.recordFailure(new org.apache.kafka.common.errors.TimeoutException("expired"));
        clock.advance(Duration.ofSeconds(30));   // the retry time has come; nothing has moved the breaker yet
        assertThat(breaker.state()).isEqualTo(io.breakwater.breaker.CircuitBreakerState.OPEN);
        Future<RecordMetadata> trial = q.enqueue(new ProducerRecord<>("t", "k", "trial"), null, null);
        releaseDrains(drainsHeld);
        assertThat(trial.isDone()).as("the trial, queued once the retry time had come: not failed by the late drain")
                .isFalse();
        senderHeld.countDown();
        first.get(5, TimeUnit.SECONDS);
        trial.get(5, TimeUnit.SECONDS);
        assertThat(sent).containsExactly("first", "trial");
        assertThat(breaker.snapshot().rejectedCalls()).isZero();
    }

    /** Keeps the drain thread busy until {@code held} opens: a drain for an open waits behind it. */
    private static void holdDrains(java.util.concurrent.CountDownLatch held) {
        QueueDrains.EXECUTOR.execute(() -> {
            try {
                held.await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
    }

    /** Lets the drain thread go on, and waits until the drains queued behind {@link #holdDrains} have run. */
    private static void releaseDrains(java.util.concurrent.CountDownLatch held) throws Exception {
        held.countDown();
        java.util.concurrent.CompletableFuture<Void> drained = new java.util.concurrent.CompletableFuture<>();
        QueueDrains.EXECUTOR.execute(() -> drained.complete(null));
        drained.get(5, TimeUnit.SECONDS);
    }
}
