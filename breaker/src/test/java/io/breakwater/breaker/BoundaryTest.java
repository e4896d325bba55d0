package io.breakwater.breaker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;

/** Whatever user code throws (listeners, predicates, the call itself) never wedges a breaker or a future. */
class BoundaryTest {

    private final ManualClock clock = new ManualClock();

    @Test
    void anErrorInOneListenerNeitherStopsTheOthersNorWedgesLaterTransitions() {
        CircuitBreaker breaker = CircuitBreaker.of(CircuitBreakerConfig.builder("listener").clock(clock).failureThreshold(1).build());
        List<String> seen = new ArrayList<>();
        breaker.onTransition(t -> {
            throw new AssertionError("a listener's own bug");
        });
        breaker.onTransition(t -> seen.add(t.from() + "->" + t.to()));

        breaker.recordFailure(new IOException("down"));
        breaker.reset();
        breaker.forceOpen();

        assertThat(seen).containsExactly("CLOSED->OPEN", "OPEN->CLOSED", "CLOSED->FORCED_OPEN");
    }

    @Test
    void aVirtualMachineErrorInAListenerReachesTheCallerButLaterTransitionsStillFlow() {
        CircuitBreaker breaker = CircuitBreaker.of(CircuitBreakerConfig.builder("vme").clock(clock).failureThreshold(1).build());
        List<String> seen = new ArrayList<>();
        boolean[] thrown = {false};
        breaker.onTransition(t -> {
            if (!thrown[0]) {
                thrown[0] = true;
                throw new StackOverflowError("deep");
            }
        });
        breaker.onTransition(t -> seen.add(t.to().name()));

        assertThatThrownBy(() -> breaker.recordFailure(new IOException("down"))).isInstanceOf(StackOverflowError.class);
        breaker.reset();

        assertThat(seen).containsExactly("OPEN", "CLOSED");
    }

    @Test
    void aThrowingPredicateCountsTheFailureAndExecuteAsyncStillCompletes() {
        CircuitBreaker breaker = CircuitBreaker.of(CircuitBreakerConfig.builder("predicate").clock(clock).failureThreshold(1)
                .recordFailure(t -> {
                    throw new IllegalStateException("a predicate's own bug");
                }).build());

        CompletableFuture<String> result = breaker.executeAsync(() -> CompletableFuture.failedFuture(new IOException("down")));

        assertThat(result).isCompletedExceptionally();
        assertThatThrownBy(result::join).hasCauseInstanceOf(IOException.class);
        assertThat(breaker.state()).as("counted as a failure").isEqualTo(CircuitBreakerState.OPEN);
    }

    @Test
    void aThrowingPredicateSharedByEveryBreakerOfOneConfigCountsTheFailureForEach() {
        CircuitBreakerRegistry registry = new CircuitBreakerRegistry(CircuitBreakerConfig.builder("shared").clock(clock)
                .failureThreshold(1).recordFailure(t -> {
                    throw new IllegalStateException("a predicate's own bug");
                }).build());
        CircuitBreaker first = registry.getOrCreate("first");
        CircuitBreaker second = registry.getOrCreate("second");

        first.recordFailure(new IOException("down"));
        second.recordFailure(new IOException("down"));

        assertThat(first.state()).isEqualTo(CircuitBreakerState.OPEN);
        assertThat(second.state()).as("its own failure, judged by the same predicate").isEqualTo(CircuitBreakerState.OPEN);
    }

    @Test
    void aPredicateThrowingAVirtualMachineErrorStillCompletesTheFuture() {
        CircuitBreaker breaker = CircuitBreaker.of(CircuitBreakerConfig.builder("vme-predicate").clock(clock)
                .ignoreFailure(t -> {
                    throw new OutOfMemoryError("pretend");
                }).build());
        CompletableFuture<String> stage = new CompletableFuture<>();
        CompletableFuture<String> result = breaker.executeAsync(() -> stage);

        try {
            stage.completeExceptionally(new IOException("down"));
        } catch (OutOfMemoryError expected) {
            // reaches whoever completed the stage
        }

        assertThat(result).isCompletedExceptionally();
    }

    @Test
    void aStackOverflowInTheCallDoesNotCountButAnAssertionErrorDoes() {
        CircuitBreaker breaker = CircuitBreaker.of(CircuitBreakerConfig.builder("errors").clock(clock).failureThreshold(1).build());

        assertThatThrownBy(() -> breaker.execute(() -> {
            throw new StackOverflowError("recursion");
        })).isInstanceOf(StackOverflowError.class);
        assertThat(breaker.state()).isEqualTo(CircuitBreakerState.CLOSED);
        assertThat(breaker.snapshot().ignoredCalls()).isEqualTo(1);

        assertThatThrownBy(() -> breaker.execute(() -> {
            throw new AssertionError("broken client");
        })).isInstanceOf(AssertionError.class);
        assertThat(breaker.state()).isEqualTo(CircuitBreakerState.OPEN);
    }

    @Test
    void aStackOverflowInATrialGivesTheTrialPermitBack() {
        CircuitBreaker breaker = CircuitBreaker.of(CircuitBreakerConfig.builder("trial-error").clock(clock).failureThreshold(1)
                .halfOpenMaxCalls(1).successThreshold(1).resetTimeout(Duration.ofSeconds(1)).build());
        breaker.recordFailure(new IOException("trip"));
        clock.advance(Duration.ofSeconds(1));

        assertThatThrownBy(() -> breaker.execute(() -> {
            throw new StackOverflowError("recursion");
        })).isInstanceOf(StackOverflowError.class);

        assertThat(breaker.execute(() -> "trial again")).isEqualTo("trial again");
        assertThat(breaker.state()).isEqualTo(CircuitBreakerState.CLOSED);
    }
}
