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
import org.apache.kafka.clients.producer.RecordMetadata;

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

    public ChannelSender(RedpandaTransport transport, Clock clock, BooleanSupplier closed, Duration blockThreshold,
                         Duration inFlightThreshold) {
        this.transport = transport;
        this.clock = clock;
        this.closed = closed;
        this.blockText = "sendBlockThreshold=" + blockThreshold.toMillis();
        this.inFlightText = "inFlightThreshold=" + inFlightThreshold.toMillis();
    }

    /** Sends; the future completes with the broker's answer or fails with the cause, never with a wrapper. */
    public CompletableFuture<RecordMetadata> send(StreamChannel channel, String topic, String key, byte[] payload,
                                                  Map<String, String> headers) {
        Permit permit = channel.breaker.tryAcquirePermit();
        if (permit == null) {
            return CompletableFuture.failedFuture(channel.breaker.openException());
        }
        Send send = new Send(channel, permit);
        channel.tracker.begin(send);
        CompletableFuture<RecordMetadata> sent;
        try {
            sent = transport.send(topic, key, payload, headers);
        } catch (Throwable e) {
            if (channel.tracker.answer(send)) {
                channel.breaker.recordIgnored(permit);
            }
            return CompletableFuture.failedFuture(e);
        }
        channel.tracker.returned(send);
        sent.whenComplete(send::completed);
        return send.result;
    }

    /** One send in flight: its permit, its tracking, and its future, completed on every path. */
    private final class Send extends CallTracker.Call {
        final StreamChannel channel;
        final Permit permit;
        final CompletableFuture<RecordMetadata> result = new CompletableFuture<>();

        Send(StreamChannel channel, Permit permit) {
            super(clock.nanoTime());
            this.channel = channel;
            this.permit = permit;
        }

        void completed(RecordMetadata metadata, Throwable error) {
            Throwable cause = error == null ? null : Throwables.unwrap(error);
            try {
                if (channel.tracker.answer(this)) {
                    record(cause, clock.nanoTime() - startNanos());
                }
            } finally {
                if (cause == null) {
                    result.complete(metadata);
                } else {
                    result.completeExceptionally(cause);
                }
            }
        }

        private void record(Throwable cause, long elapsedNanos) {
            if (cause == null) {
                channel.succeeded();
                channel.breaker.recordSuccess(permit, elapsedNanos);
            } else if (closed.getAsBoolean() || cause instanceof CircuitBreakerOpenException || !classifier.countsAsFailure(cause)) {
                // The bus's own close, a refusal of the transport breaker (the stream was not tried), or the
                // event's own fault: none of them says anything about the stream.
                channel.breaker.recordIgnored(permit);
            } else {
                channel.breaker.recordFailure(permit, cause, elapsedNanos);
            }
        }

        @Override
        protected void expired(boolean blocked, long ageNanos) {
            if (closed.getAsBoolean()) {
                channel.breaker.recordIgnored(permit);
                return;
            }
            channel.breaker.recordFailure(permit, blocked
                    ? "send() blocked for " + ageNanos / 1_000_000 + " ms (" + blockText + ")"
                    : "no acknowledgement for " + ageNanos / 1_000_000 + " ms (" + inFlightText + ")");
        }
    }
}
