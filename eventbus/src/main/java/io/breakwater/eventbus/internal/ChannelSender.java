package io.breakwater.eventbus.internal;

import io.breakwater.breaker.CircuitBreakerOpenException;
import io.breakwater.breaker.Clock;
import io.breakwater.breaker.Permit;
import io.breakwater.breaker.Throwables;
import io.breakwater.breaker.watch.CallTracker;
import io.breakwater.breaker.watch.TrackedCall;
import io.breakwater.interceptors.DeferredRecord;
import io.breakwater.interceptors.FailureClassifier;
import io.breakwater.transport.redpanda.RedpandaTransport;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.function.BooleanSupplier;
import org.apache.kafka.clients.producer.Callback;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.errors.AuthenticationException;
import org.apache.kafka.common.errors.AuthorizationException;

/**
 * One send of one stream's event through the stream's breaker and the transport: a permit first (refused:
 * a future failed at once with the breaker's {@link CircuitBreakerOpenException}), then the transport's
 * send, tracked so that the watchdog sees it blocked or unanswered, and its outcome recorded with its permit.
 * Publishes and replays both send this way, so a replay is judged like any publish.
 */
public final class ChannelSender {

    private static final VarHandle DONE;

    static {
        try {
            DONE = MethodHandles.lookup().findVarHandle(Send.class, "done", boolean.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    private final RedpandaTransport transport;
    private final Clock clock;
    private final FailureClassifier classifier = ChannelClassifier.INSTANCE;
    private final BooleanSupplier closed;
    private final String blockText;
    private final String inFlightText;
    // Whether the latest answer about the transport's credentials was a refusal (AuthenticationException), and when it
    // came (written first): shortly after it, a publish that waits is waiting for Kafka's next attempt to authenticate,
    // and neither expires nor stalls. Shortly: Kafka's default reconnect.backoff.max.ms (1 s) plus its 20 % jitter,
    // plus the in-flight threshold; past that, a cluster gone silent after a refusal counts again.
    private volatile boolean credentialsRefused;
    private volatile long refusedAt;
    private final long excuseNanos;

    public ChannelSender(RedpandaTransport transport, Clock clock, BooleanSupplier closed, Duration blockThreshold,
                         Duration inFlightThreshold) {
        this.transport = transport;
        this.clock = clock;
        this.closed = closed;
        this.blockText = "sendBlockThreshold=" + blockThreshold.toMillis();
        this.inFlightText = "inFlightThreshold=" + inFlightThreshold.toMillis();
        this.excuseNanos = Duration.ofMillis(1_200).plus(inFlightThreshold).toNanos();
    }

    /** Whether the latest answer about the credentials was the cluster refusing them, not long ago. */
    public boolean credentialsRefused() {
        return credentialsRefused && clock.nanoTime() - refusedAt <= excuseNanos;
    }

    /** Whether the stream's breaker and the transport's admit calls now (without taking a permit). */
    public boolean admits(StreamChannel channel) {
        return !channel.breaker.state().rejectsCalls() && !transport.breaker().state().rejectsCalls();
    }

    /** Sends; the future completes with the broker's answer or fails with the cause, never with a wrapper. */
    public CompletableFuture<RecordMetadata> send(StreamChannel channel, String topic, String key, byte[] payload,
                                                  Map<String, String> headers) {
        ProducerRecord<String, byte[]> record;
        try {
            record = new ProducerRecord<>(topic, null, key, payload, RedpandaTransport.headers(headers));
        } catch (Throwable e) {
            return CompletableFuture.failedFuture(e);
        }
        Relay relay = new Relay(channel, record);
        send(relay, null);
        return relay.result;
    }

    /**
     * Sends the record {@code send} (of its stream) makes as it is handed to Kafka; {@code send} hears once how it went:
     * a publish is its own send, so it costs the bus no object more than the caller's future, and while it waits in the
     * transport's queue no record either. {@code permit}: the stream breaker's, taken by the caller for this send; null
     * to take one now.
     */
    public void send(Send send, Permit permit) {
        if (permit == null) {
            permit = send.channel.breaker.tryAcquirePermit();
        }
        if (permit == null) {
            send.sent(null, send.channel.breaker.openException());
            return;
        }
        send.sender = this;
        send.permit = permit;
        try {
            transport.sendDeferred(send);
        } catch (Throwable e) {
            send.completed(null, e);
        }
    }

    /** A send of a record made already, whose outcome completes a future. */
    private static final class Relay extends Send {
        final CompletableFuture<RecordMetadata> result = new CompletableFuture<>();
        private final ProducerRecord<String, byte[]> record;

        Relay(StreamChannel channel, ProducerRecord<String, byte[]> record) {
            super(channel);
            this.record = record;
        }

        @Override
        public String topic() {
            return record.topic();
        }

        @Override
        public ProducerRecord<String, byte[]> make() {
            return record;
        }

        @Override
        protected void sent(RecordMetadata metadata, Throwable cause) {
            if (cause == null) {
                result.complete(metadata);
            } else {
                result.completeExceptionally(cause);
            }
        }
    }

    /**
     * One send of one stream: its permit, its tracking once it is handed to Kafka (the stream's tracker sees it from
     * then), and its outcome, told once on every path ({@link #sent}). The clock starts at the hand-over, not when the
     * publish was queued: a stream whose events wait behind another stream's in the transport's queue is not blamed for
     * that wait.
     */
    public abstract static class Send extends TrackedCall implements DeferredRecord<String, byte[]> {
        final StreamChannel channel;
        // Set by ChannelSender.send before the hand-over to the transport (which publishes them to its threads).
        private ChannelSender sender;
        private Permit permit;
        // Set on the sender thread at the hand-over, once the tracker has the send; false for one that never left the queue.
        private volatile boolean handedOver;
        // Whether the outcome was taken: once, by compare-and-set (DONE), should the producer both report and throw.
        private volatile boolean done;

        protected Send(StreamChannel channel) {
            this.channel = channel;
        }

        /**
         * What the send reports, once: the broker's metadata, or the failure as it is (never a wrapper). On the caller's
         * thread when the send is refused at once, else on the transport's sender thread or Kafka's network thread.
         */
        protected abstract void sent(RecordMetadata metadata, Throwable cause);

        /**
         * Just before the record is made and handed to Kafka: a stream whose breaker opened meanwhile drops the event;
         * else the clock starts.
         */
        @Override
        public RuntimeException veto() {
            if (channel.breaker.state().rejectsCalls()) {
                return channel.breaker.openException();
            }
            start(sender.clock.nanoTime());
            channel.tracker.begin(this);
            channel.tracker.returned(this);
            handedOver = true;
            channel.sending(); // after begin: the watchdog's next look sees this send
            return null;
        }

        @Override
        public void onCompletion(RecordMetadata metadata, Exception error) {
            completed(metadata, error);
        }

        void completed(RecordMetadata metadata, Throwable error) {
            if (!DONE.compareAndSet(this, false, true)) {
                return;
            }
            Throwable cause = error == null ? null : Throwables.unwrap(error);
            ChannelSender sender = this.sender;
            long now = sender.clock.nanoTime();   // one read for every use below
            try {
                boolean tracked = handedOver;
                boolean counts = cause != null && counts(cause);
                if (cause == null) {
                    if (tracked) {
                        channel.succeeded(this, now);   // evidence that the stream answers, and its line moved
                    } else {
                        channel.succeeded(now);   // evidence that the stream answers, even after its send expired
                    }
                    if (sender.credentialsRefused) {   // written only when it changes: a volatile store is a fence
                        sender.credentialsRefused = false;
                    }
                } else if (cause instanceof AuthenticationException) {
                    channel.succeeded(now);   // the cluster answered, refusing the credentials: not an outage
                    sender.refusedAt = now;
                    sender.credentialsRefused = true;
                } else if (cause instanceof AuthorizationException) {
                    channel.succeeded(now);   // the cluster answered, refusing the stream's rights
                    sender.credentialsRefused = false;
                } else if (counts) {
                    sender.credentialsRefused = false;
                    if (tracked) {
                        channel.tracker.failed(this, now);   // it joins the stream's failing run
                    }
                } else {
                    channel.tracker.neutral(now);   // the event's own fault: it ends a failing run
                }
                if (!tracked || channel.tracker.answer(this)) {
                    record(cause, counts, tracked ? now - startNanos() : -1);
                }
            } finally {
                sent(metadata, cause);
            }
        }

        /**
         * Whether a failure says something about the stream: not the bus's own close, a refusal (the stream was not
         * tried), or the event's own fault.
         */
        private boolean counts(Throwable cause) {
            return !sender.closed.getAsBoolean() && !(cause instanceof CircuitBreakerOpenException)
                    && sender.classifier.countsAsFailure(cause);
        }

        /** The stream's watchdog expired this send: handed to Kafka, then blocked or unanswered too long. */
        @Override
        protected void expired(boolean blocked, long ageNanos) {
            if (sender.closed.getAsBoolean() || sender.credentialsRefused()) {
                channel.breaker.recordIgnored(permit);
                return;
            }
            channel.breaker.recordFailure(permit, blocked
                    ? "send() blocked for " + ageNanos / 1_000_000 + " ms (" + sender.blockText + ")"
                    : "no acknowledgement for " + ageNanos / 1_000_000 + " ms (" + sender.inFlightText + ")");
        }

        private void record(Throwable cause, boolean counts, long elapsedNanos) {
            if (cause == null) {
                channel.breaker.recordSuccess(permit, elapsedNanos);
            } else if (!counts) {
                channel.breaker.recordIgnored(permit);
            } else {
                channel.breaker.recordFailure(permit, cause, elapsedNanos);
            }
        }
    }

}
