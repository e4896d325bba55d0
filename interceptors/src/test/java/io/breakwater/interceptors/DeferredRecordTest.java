package io.breakwater.interceptors;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.breakwater.breaker.CircuitBreaker;
import io.breakwater.breaker.CircuitBreakerConfig;
import io.breakwater.breaker.CircuitBreakerOpenException;
import io.breakwater.breaker.CircuitBreakerState;
import io.breakwater.breaker.ManualClock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.kafka.clients.producer.MockProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class DeferredRecordTest {

    /** A record made from its value when sent; it notes where it was made and every outcome it hears. */
    static class Deferred implements DeferredRecord<String, String> {
        final String value;
        final RuntimeException veto;
        final RuntimeException makeFails;
        volatile String madeOn;
        final List<Object> outcomes = new CopyOnWriteArrayList<>();   // metadata, or the exception

        Deferred(String value, RuntimeException veto, RuntimeException makeFails) {
            this.value = value;
            this.veto = veto;
            this.makeFails = makeFails;
        }

        Deferred(String value) {
            this(value, null, null);
        }

        @Override
        public String topic() {
            return "orders";
        }

        @Override
        public RuntimeException veto() {
            return veto;
        }

        @Override
        public ProducerRecord<String, String> make() {
            madeOn = Thread.currentThread().getName();
            if (makeFails != null) {
                throw makeFails;
            }
            return new ProducerRecord<>("orders", "k", value);
        }

        @Override
        public void onCompletion(RecordMetadata metadata, Exception exception) {
            outcomes.add(exception != null ? exception : metadata);
        }

        boolean answered() {
            return !outcomes.isEmpty();
        }
    }

    private final ManualClock clock = new ManualClock();
    private final List<CircuitBreakerProducer<String, String>> opened = new ArrayList<>();

    private CircuitBreakerProducer<String, String> producer(MockProducer<String, String> delegate, CircuitBreaker breaker,
                                                            boolean nonBlocking, int queue) {
        CircuitBreakerProducer<String, String> p = CircuitBreakerProducer.builder(delegate).breaker(breaker).clock(clock)
                .watchdog(false).nonBlocking(nonBlocking).sendQueueMaxRecords(queue).build();
        opened.add(p);
        return p;
    }

    @AfterEach
    void close() {
        opened.forEach(p -> p.close(Duration.ofSeconds(1)));
    }

    @Test
    void aQueuedRecordIsMadeOnlyAsItLeavesTheQueueOnTheSenderThreadAndHearsItsOutcomeOnce() throws Exception {
        NonBlockingSendTest.StuckProducer stuck = new NonBlockingSendTest.StuckProducer();
        CircuitBreakerProducer<String, String> producer = producer(stuck, CircuitBreaker.ofDefaults("deferred-order"), true, 100);
        List<Deferred> sent = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            Deferred d = new Deferred(String.valueOf(i));
            sent.add(d);
            producer.sendDeferred(d);
        }
        assertThat(stuck.entered.await(10, TimeUnit.SECONDS)).as("the sender thread is blocked in send()").isTrue();
        assertThat(sent.get(0).madeOn).startsWith("breakwater-sender-");
        assertThat(sent.subList(1, 5)).as("waiting in the queue, not made").allMatch(d -> d.madeOn == null);
        stuck.release.countDown();
        await().atMost(Duration.ofSeconds(10)).until(() -> sent.stream().allMatch(Deferred::answered));
        assertThat(stuck.history()).extracting(ProducerRecord::value).containsExactly("0", "1", "2", "3", "4");
        assertThat(sent).allSatisfy(d -> assertThat(d.outcomes).singleElement().isInstanceOf(RecordMetadata.class));
    }

    @Test
    void aVetoedRecordIsNeverMadeAndOneWhoseMakingThrowsFailsAloneWhileTheNextGoes() {
        MockProducer<String, String> mock = new MockProducer<>(true, null, new StringSerializer(), new StringSerializer());
        CircuitBreakerProducer<String, String> producer = producer(mock, CircuitBreaker.ofDefaults("deferred-veto"), true, 100);
        IllegalStateException veto = new IllegalStateException("the stream opened");
        SerializationException broken = new SerializationException("cannot make it");
        Deferred vetoed = new Deferred("vetoed", veto, null);
        Deferred unmade = new Deferred("unmade", null, broken);
        Deferred fine = new Deferred("fine");
        producer.sendDeferred(vetoed);
        producer.sendDeferred(unmade);
        producer.sendDeferred(fine);
        await().atMost(Duration.ofSeconds(10)).until(fine::answered);
        assertThat(vetoed.madeOn).isNull();
        assertThat(vetoed.outcomes).containsExactly(veto);
        assertThat(unmade.outcomes).containsExactly(broken);
        assertThat(fine.outcomes).singleElement().isInstanceOf(RecordMetadata.class);
        assertThat(mock.history()).extracting(ProducerRecord::value).containsExactly("fine");
        assertThat(producer.breaker().snapshot().failedCalls()).as("the records' own faults").isZero();
    }

    @Test
    void aRecordTheBreakerRefusesOnTheSenderThreadFailsAndSoDoesEveryRecordQueuedBehindItUnmade() throws Exception {
        // HALF_OPEN with one trial: the first record takes it and waits in send(); the second is refused as it leaves the
        // queue, and the third, behind it, must not go ahead of it once the trial is back.
        CircuitBreaker breaker = CircuitBreaker.of(CircuitBreakerConfig.builder("deferred-trial").failureThreshold(1)
                .halfOpenMaxCalls(1).successThreshold(1).clock(clock).build());
        breaker.recordFailure(new org.apache.kafka.common.errors.TimeoutException("expired"));
        assertThat(breaker.state()).isEqualTo(CircuitBreakerState.OPEN);
        clock.advance(breaker.config().resetTimeout());   // due, and no watchdog to move it to HALF_OPEN
        // Its first send() waits until released, then leaves the trial unanswered: the trial permit stays taken.
        NonBlockingSendTest.StuckProducer stuck = new NonBlockingSendTest.StuckProducer(false);
        CircuitBreakerProducer<String, String> producer = producer(stuck, breaker, true, 100);
        Deferred trial = new Deferred("trial");
        producer.sendDeferred(trial);
        assertThat(stuck.entered.await(10, TimeUnit.SECONDS)).as(() -> "the trial waits in send(): " + trial.outcomes).isTrue();
        assertThat(breaker.state()).isEqualTo(CircuitBreakerState.HALF_OPEN);
        Deferred refused = new Deferred("refused");
        Deferred behind = new Deferred("behind");
        producer.sendDeferred(refused);
        producer.sendDeferred(behind);
        stuck.release.countDown();
        await().atMost(Duration.ofSeconds(10)).until(() -> refused.answered() && behind.answered());
        assertThat(trial.answered()).as("the trial is still unanswered").isFalse();
        assertThat(refused.outcomes).singleElement().isInstanceOf(CircuitBreakerOpenException.class);
        assertThat(behind.outcomes).singleElement().isInstanceOf(CircuitBreakerOpenException.class);
        assertThat(refused.madeOn).isNotNull();   // made, then refused by the breaker's permit
        assertThat(behind.madeOn).as("drained, never made").isNull();
        assertThat(stuck.history()).extracting(ProducerRecord::value).containsExactly("trial");
    }

    @Test
    void aFullQueueFailsTheRecordAtOnceAndAClosedProducerThrows() throws Exception {
        NonBlockingSendTest.StuckProducer stuck = new NonBlockingSendTest.StuckProducer();
        CircuitBreakerProducer<String, String> producer = producer(stuck, CircuitBreaker.ofDefaults("deferred-full"), true, 1);
        producer.sendDeferred(new Deferred("held"));
        assertThat(stuck.entered.await(10, TimeUnit.SECONDS)).isTrue();
        producer.sendDeferred(new Deferred("queued"));
        Deferred overflow = new Deferred("overflow");
        producer.sendDeferred(overflow);
        assertThat(overflow.outcomes).as("on the caller's thread, at once").singleElement()
                .isInstanceOf(SendQueueFullException.class);
        assertThat(overflow.madeOn).isNull();
        stuck.release.countDown();
        producer.close(Duration.ofSeconds(5));
        assertThatThrownBy(() -> producer.sendDeferred(new Deferred("late"))).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("closed");
        assertThatThrownBy(() -> producer.sendDeferred(null)).isInstanceOf(NullPointerException.class).hasMessage("deferred");
    }

    @Test
    void anOpenBreakerRefusesBeforeTheQueueAndInBlockingModeAVetoIsHeardOnTheCallersThread() {
        MockProducer<String, String> mock = new MockProducer<>(true, null, new StringSerializer(), new StringSerializer());
        CircuitBreaker open = CircuitBreaker.ofDefaults("deferred-open");
        CircuitBreakerProducer<String, String> queued = producer(mock, open, true, 10);
        open.forceOpen();
        Deferred refused = new Deferred("refused");
        queued.sendDeferred(refused);
        assertThat(refused.outcomes).singleElement().isInstanceOf(CircuitBreakerOpenException.class);
        assertThat(refused.madeOn).isNull();
        assertThat(open.snapshot().rejectedCalls()).isEqualTo(1);

        CircuitBreakerProducer<String, String> blocking = producer(mock, CircuitBreaker.ofDefaults("deferred-blocking"), false, 10);
        IllegalStateException veto = new IllegalStateException("no");
        Deferred vetoed = new Deferred("vetoed", veto, null);
        Deferred sent = new Deferred("sent");
        blocking.sendDeferred(vetoed);
        blocking.sendDeferred(sent);
        assertThat(vetoed.outcomes).containsExactly(veto);
        assertThat(sent.madeOn).isEqualTo(Thread.currentThread().getName());
        assertThat(sent.outcomes).singleElement().isInstanceOf(RecordMetadata.class);
        assertThat(mock.history()).extracting(ProducerRecord::value).containsExactly("sent");
    }

    @Test
    void inBlockingModeWhatMakingTheRecordThrowsIsHeardNotThrownAndAnErrorIsBoth() {
        MockProducer<String, String> mock = new MockProducer<>(true, null, new StringSerializer(), new StringSerializer());
        CircuitBreakerProducer<String, String> blocking = producer(mock, CircuitBreaker.ofDefaults("deferred-throws"), false, 10);
        SerializationException broken = new SerializationException("cannot make it");
        Deferred unmade = new Deferred("unmade", null, broken);
        blocking.sendDeferred(unmade);
        assertThat(unmade.outcomes).containsExactly(broken);

        Deferred nothing = new Deferred("nothing") {
            @Override
            public ProducerRecord<String, String> make() {
                return null;
            }
        };
        blocking.sendDeferred(nothing);
        assertThat(nothing.outcomes).singleElement().isInstanceOf(NullPointerException.class)
                .hasFieldOrPropertyWithValue("message", "DeferredRecord.make() returned null (a record of topic 'orders')");

        StackOverflowError deep = new StackOverflowError("deep");
        Deferred overflowing = new Deferred("overflowing") {
            @Override
            public ProducerRecord<String, String> make() {
                throw deep;
            }
        };
        assertThatThrownBy(() -> blocking.sendDeferred(overflowing)).isSameAs(deep);
        assertThat(overflowing.outcomes).singleElement().isInstanceOf(org.apache.kafka.common.KafkaException.class)
                .extracting(o -> ((Throwable) o).getCause()).isSameAs(deep);
        assertThat(mock.history()).isEmpty();
    }

    @Test
    void aRecordWhoseMakingReturnsNullFailsAloneOnTheSenderThreadNamingItsTopic() {
        MockProducer<String, String> mock = new MockProducer<>(true, null, new StringSerializer(), new StringSerializer());
        CircuitBreakerProducer<String, String> producer = producer(mock, CircuitBreaker.ofDefaults("deferred-null"), true, 10);
        Deferred nothing = new Deferred("nothing") {
            @Override
            public ProducerRecord<String, String> make() {
                return null;
            }
        };
        Deferred fine = new Deferred("fine");
        producer.sendDeferred(nothing);
        producer.sendDeferred(fine);
        await().atMost(Duration.ofSeconds(10)).until(fine::answered);
        assertThat(nothing.outcomes).singleElement().isInstanceOf(NullPointerException.class)
                .hasFieldOrPropertyWithValue("message", "DeferredRecord.make() returned null (a record of topic 'orders')");
        assertThat(mock.history()).extracting(ProducerRecord::value).containsExactly("fine");
    }

    @Test
    void everyRecordOfManyCallersIsAnsweredExactlyOnce() throws Exception {
        MockProducer<String, String> mock = new MockProducer<>(true, null, new StringSerializer(), new StringSerializer());
        CircuitBreakerProducer<String, String> producer = producer(mock, CircuitBreaker.ofDefaults("deferred-many"), true, 100_000);
        List<Deferred> all = new CopyOnWriteArrayList<>();
        AtomicInteger next = new AtomicInteger();
        List<Thread> callers = new ArrayList<>();
        for (int t = 0; t < 4; t++) {
            Thread caller = new Thread(() -> {
                for (int i = 0; i < 2_000; i++) {
                    Deferred d = new Deferred(String.valueOf(next.getAndIncrement()));
                    all.add(d);
                    producer.sendDeferred(d);
                }
            });
            callers.add(caller);
            caller.start();
        }
        for (Thread caller : callers) {
            caller.join(10_000);
        }
        await().atMost(Duration.ofSeconds(10)).until(() -> all.stream().allMatch(Deferred::answered));
        assertThat(all).hasSize(8_000).allSatisfy(d -> assertThat(d.outcomes).hasSize(1));
        assertThat(mock.history()).hasSize(8_000);
    }
}
