package io.breakwater.eventbus.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.breakwater.breaker.CircuitBreaker;
import io.breakwater.breaker.CircuitBreakerConfig;
import io.breakwater.breaker.CircuitBreakerState;
import io.breakwater.breaker.ManualClock;
import io.breakwater.breaker.Subscription;
import io.breakwater.breaker.watch.TrackedCall;
import io.breakwater.breaker.watch.TrackerLimits;
import io.breakwater.breaker.watch.Watchdog;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class StreamChannelTest {

    private final ManualClock clock = new ManualClock();
    private final CircuitBreaker breaker = CircuitBreaker.of(CircuitBreakerConfig.builder("kafka_channel_orders")
            .failureThreshold(1).successThreshold(1).resetTimeout(Duration.ofSeconds(10)).clock(clock).build());
    private final StreamChannel channel = new StreamChannel("orders", "orders", breaker, clock,
            new TrackerLimits(clock::nanoTime, Duration.ofSeconds(1), Duration.ofSeconds(2), StreamChannel.TRACKED, true),
            null, () -> false);

    private static final class Call extends TrackedCall {
        Call(long start) {
            super(start);
        }

        @Override
        protected void expired(boolean blocked, long ageNanos) {
        }
    }

    @AfterEach
    void close() {
        channel.close();
    }

    /** Waits until the watchdog thread has run every check in its rounds at least {@code ticks} more times. */
    private static void awaitWatchdogTicks(int ticks) {
        AtomicInteger seen = new AtomicInteger();
        Subscription counting = Watchdog.register(seen::incrementAndGet);
        try {
            await().atMost(Duration.ofSeconds(5)).until(() -> seen.get() > ticks);
        } finally {
            counting.close();
        }
    }

    private Call send() {
        Call call = new Call(clock.nanoTime());
        channel.tracker.begin(call);
        channel.tracker.returned(call);
        channel.sending();
        return call;
    }

    @Test
    void anIdleStreamLeavesTheWatchdogsRoundsAndItsNextSendBringsItBack() {
        await().atMost(Duration.ofSeconds(5)).until(() -> !channel.awake());

        Call call = send();
        assertThat(channel.awake()).isTrue();
        awaitWatchdogTicks(2);
        assertThat(channel.awake()).as("a send in flight keeps it watched").isTrue();

        channel.succeeded(clock.nanoTime());
        assertThat(channel.tracker.answer(call)).isTrue();
        await().atMost(Duration.ofSeconds(5)).until(() -> !channel.awake());
    }

    @Test
    void aSendOfAStreamThatRestedIsStillExpiredAndItsStallOpensTheBreaker() {
        await().atMost(Duration.ofSeconds(5)).until(() -> !channel.awake());
        send();
        clock.advance(Duration.ofSeconds(2));
        await().atMost(Duration.ofSeconds(5)).until(() -> breaker.state() == CircuitBreakerState.OPEN);
        assertThat(breaker.snapshot().lastFailure()).contains("no publish answered for 2000 ms");
    }

    @Test
    void aBreakerMovedByAnotherHandWakesTheStreamAndItsResetTimeoutIsKeptWithoutACall() {
        await().atMost(Duration.ofSeconds(5)).until(() -> !channel.awake());
        breaker.recordFailure("an operator's test");
        assertThat(breaker.state()).isEqualTo(CircuitBreakerState.OPEN);
        assertThat(channel.awake()).isTrue();

        clock.advance(Duration.ofSeconds(10));
        await().atMost(Duration.ofSeconds(5)).until(() -> breaker.state() == CircuitBreakerState.HALF_OPEN);
        awaitWatchdogTicks(2);
        assertThat(channel.awake()).as("HALF_OPEN: its trials' wait is watched").isTrue();

        breaker.recordSuccess();
        assertThat(breaker.state()).isEqualTo(CircuitBreakerState.CLOSED);
        await().atMost(Duration.ofSeconds(5)).until(() -> !channel.awake());
    }

    @Test
    void aClosedStreamIsWatchedNoMoreWhateverHappensToItsBreaker() {
        channel.close();
        breaker.recordFailure("after the close");
        send();
        assertThat(channel.awake()).isFalse();
    }
}
