package io.breakwater.it;

import io.breakwater.breaker.CircuitBreaker;
import io.breakwater.breaker.CircuitBreakerState;
import io.breakwater.breaker.StateTransition;
import io.breakwater.breaker.Subscription;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * Every transition of one breaker, each with the {@link System#nanoTime()} at which its listener heard
 * it (listeners run on the thread that caused the transition, so that is when it happened).
 */
final class BreakerWatch implements AutoCloseable {

    /** A transition and when it was heard. */
    record Heard(long nanos, StateTransition transition) {
    }

    private final String label;
    private final CircuitBreaker breaker;
    private final List<Heard> heard = new CopyOnWriteArrayList<>();
    private final Subscription subscription;

    BreakerWatch(String label, CircuitBreaker breaker) {
        this.label = label;
        this.breaker = breaker;
        this.subscription = breaker.onTransition(t -> heard.add(new Heard(System.nanoTime(), t)));
    }

    /** What the matrix calls it: the guard and, for the EventBus, which of its breakers. */
    String label() {
        return label;
    }

    CircuitBreaker breaker() {
        return breaker;
    }

    List<Heard> heard() {
        return List.copyOf(heard);
    }

    /** Milliseconds from {@code sinceNanos} to the first move to OPEN heard after it (and before {@code untilNanos}). */
    Optional<Long> millisToOpen(long sinceNanos, long untilNanos) {
        return openedAt(sinceNanos, untilNanos).map(nanos -> (nanos - sinceNanos) / 1_000_000);
    }

    /** The {@link System#nanoTime()} of the first move to OPEN heard between two instants. */
    Optional<Long> openedAt(long sinceNanos, long untilNanos) {
        return heard.stream()
                .filter(h -> h.nanos() >= sinceNanos && h.nanos() <= untilNanos && h.transition().to() == CircuitBreakerState.OPEN)
                .findFirst()
                .map(Heard::nanos);
    }

    boolean hasOpened(long sinceNanos) {
        return millisToOpen(sinceNanos, Long.MAX_VALUE).isPresent();
    }

    /** The transitions heard between two instants. */
    List<StateTransition> between(long fromNanos, long untilNanos) {
        return heard.stream().filter(h -> h.nanos() >= fromNanos && h.nanos() <= untilNanos).map(Heard::transition).toList();
    }

    /** Whether the breaker moved at all before {@code nanos} (it must not, while the cluster is healthy). */
    boolean movedBefore(long nanos) {
        return heard.stream().anyMatch(h -> h.nanos() < nanos);
    }

    @Override
    public void close() {
        subscription.close();
    }

    @Override
    public String toString() {
        return label + " " + breaker.name() + " " + breaker.state();
    }
}
