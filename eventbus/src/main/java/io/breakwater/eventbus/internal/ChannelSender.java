package io.breakwater.eventbus.internal;

import io.breakwater.breaker.CircuitBreakerOpenException;
import io.breakwater.breaker.Clock;
import io.breakwater.breaker.Permit;
import io.breakwater.breaker.Throwables;
import io.breakwater.breaker.watch.CallTracker;
import io.breakwater.interceptors.FailureClassifier;
import io.breakwater.transport.redpanda.RedpandaTransport;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.function.BooleanSupplier;
import java.util.function.Function;
import java.util.function.Supplier;
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
        return send(channel, gate -> transport.send(topic, key, payload, headers, gate));
    }

    /** Sends {@code record} as it is, its headers Kafka's already; as {@link #send(StreamChannel, String, String, byte[], Map)}. */
    public CompletableFuture<RecordMetadata> send(StreamChannel channel, ProducerRecord<String, byte[]> record) {
        return send(channel, gate -> transport.send(record, gate));
    }

    private CompletableFuture<RecordMetadata> send(StreamChannel channel,
            Function<Supplier<RuntimeException>, CompletableFuture<RecordMetadata>> handToTransport) {
        Permit permit = channel.breaker.tryAcquirePermit();
        if (permit == null) {
            return CompletableFuture.failedFuture(channel.breaker.openException());
        }
        Send send = new Send(channel, permit);
        CompletableFuture<RecordMetadata> sent;
        try {
            sent = handToTransport.apply(send::handOver);
        } catch (Throwable e) {
            send.completed(null, e);
            return send.result;
        }
        sent.handle((metadata, error) -> {   // not whenComplete: see Futures
            send.completed(metadata, error);
            return null;
        });
        return send.result;
    }

    /**
     * One send: its permit, its tracking once it is handed to Kafka, and its future, completed on every path.
     * The clock starts at the hand-over, not when the publish was queued: a stream whose events wait behind
     * another stream's in the transport's queue is not blamed for that wait.
     */
    private final class Send {
        final StreamChannel channel;
        final Permit permit;
        final CompletableFuture<RecordMetadata> result = new CompletableFuture<>();
        // Set on the sender thread at the hand-over; null while queued, and for a send that never left the queue.
        private volatile Tracked tracked;

        Send(StreamChannel channel, Permit permit) {
            this.channel = channel;
            this.permit = permit;
        }

        /** Just before Kafka's send: a stream whose breaker opened meanwhile drops the event; else the clock starts. */
        RuntimeException handOver() {
            if (channel.breaker.state().rejectsCalls()) {
                return channel.breaker.openException();
            }
            Tracked t = new Tracked(this, clock.nanoTime());
            channel.tracker.begin(t);
            channel.tracker.returned(t);
            tracked = t;
            return null;
        }

        void completed(RecordMetadata metadata, Throwable error) {
            Throwable cause = error == null ? null : Throwables.unwrap(error);
            try {
                Tracked t = tracked;
                boolean counts = cause != null && counts(cause);
                if (cause == null) {
                    channel.succeeded();   // evidence that the stream answers, even after its send expired
                    credentialsRefused = false;
                } else if (cause instanceof AuthenticationException) {
                    channel.succeeded();   // the cluster answered, refusing the credentials: not an outage
                    refusedAt = clock.nanoTime();
                    credentialsRefused = true;
                } else if (cause instanceof AuthorizationException) {
                    channel.succeeded();   // the cluster answered, refusing the stream's rights
                    credentialsRefused = false;
                } else if (counts) {
                    credentialsRefused = false;
                    if (t != null) {
                        channel.tracker.failed(t, clock.nanoTime());   // it joins the stream's failing run
                    }
                } else {
                    channel.tracker.neutral(clock.nanoTime());   // the event's own fault: it ends a failing run
                }
                if (t == null || channel.tracker.answer(t)) {
                    record(cause, counts, t == null ? -1 : clock.nanoTime() - t.startNanos());
                }
            } finally {
                if (cause == null) {
                    result.complete(metadata);
                } else {
                    result.completeExceptionally(cause);
                }
            }
        }

        /**
         * Whether a failure says something about the stream: not the bus's own close, a refusal (the stream was not
         * tried), or the event's own fault.
         */
        private boolean counts(Throwable cause) {
            return !closed.getAsBoolean() && !(cause instanceof CircuitBreakerOpenException) && classifier.countsAsFailure(cause);
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

    /** A send handed to Kafka, as the stream's tracker sees it. */
    private final class Tracked extends CallTracker.Call {
        private final Send send;

        Tracked(Send send, long start) {
            super(start);
            this.send = send;
        }

        @Override
        protected void expired(boolean blocked, long ageNanos) {
            if (closed.getAsBoolean() || credentialsRefused()) {
                send.channel.breaker.recordIgnored(send.permit);
                return;
            }
            send.channel.breaker.recordFailure(send.permit, blocked
                    ? "send() blocked for " + ageNanos / 1_000_000 + " ms (" + blockText + ")"
                    : "no acknowledgement for " + ageNanos / 1_000_000 + " ms (" + inFlightText + ")");
        }
    }
}
