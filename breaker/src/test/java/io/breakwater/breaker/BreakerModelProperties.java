package io.breakwater.breaker;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.ShrinkingMode;
import net.jqwik.api.EdgeCasesMode;

/**
 * Random configs and random sequences of calls, outcomes, time steps and manual commands, run against
 * the real breaker and against {@link BreakerModel}; after every step both must agree on the state, on
 * every permission, and on the transitions so far.
 */
class BreakerModelProperties {

    private static final long SLOW_NANOS = Duration.ofSeconds(1).toNanos();

    sealed interface Step permits Acquire, Success, Failure, Ignored, Advance, ForceOpen, Disable, Reset {
    }

    record Acquire() implements Step {
    }

    record Success(boolean slow) implements Step {
    }

    record Failure(boolean slow) implements Step {
    }

    record Ignored() implements Step {
    }

    record Advance(long millis) implements Step {
    }

    record ForceOpen() implements Step {
    }

    record Disable() implements Step {
    }

    record Reset() implements Step {
    }

    @Property(tries = 1000, shrinking = ShrinkingMode.BOUNDED, edgeCases = EdgeCasesMode.MIXIN)
    void theBreakerFollowsTheModel(@ForAll("configs") CircuitBreakerConfigBuilder builder,
                                   @ForAll("steps") List<Step> steps) {
        ManualClock clock = new ManualClock();
        CircuitBreakerConfig config = builder.clock(clock).ignoreExceptions(IllegalArgumentException.class).build();
        CircuitBreaker breaker = CircuitBreaker.of(config);
        List<String> seen = new ArrayList<>();
        breaker.onTransition(t -> seen.add(t.from() + "->" + t.to()));
        BreakerModel model = new BreakerModel(config);

        for (int i = 0; i < steps.size(); i++) {
            Step step = steps.get(i);
            long now = clock.nanoTime();
            String where = "step " + i + " " + step + " of " + steps + " with " + config;
            if (step instanceof Acquire) {
                assertThat(breaker.canExecute()).as(where).isEqualTo(model.acquire(now));
            } else if (step instanceof Success s) {
                long d = s.slow() ? SLOW_NANOS : 0;
                breaker.recordSuccess(d);
                model.success(now, d);
            } else if (step instanceof Failure f) {
                long d = f.slow() ? SLOW_NANOS : 0;
                breaker.recordFailure(new IOException("down"), d);
                model.failure(now, d);
            } else if (step instanceof Ignored) {
                breaker.recordFailure(new IllegalArgumentException("caller bug"));
                model.ignored();
            } else if (step instanceof Advance a) {
                clock.advanceMillis(a.millis());
            } else if (step instanceof ForceOpen) {
                breaker.forceOpen();
                model.forceOpen();
            } else if (step instanceof Disable) {
                breaker.disable();
                model.disable();
            } else if (step instanceof Reset) {
                breaker.reset();
                model.reset();
            }
            assertThat(breaker.state()).as(where).isEqualTo(model.state);
            assertThat(seen).as(where).isEqualTo(model.transitions);
            if (model.state == CircuitBreakerState.CLOSED) {
                CircuitBreakerSnapshot snap = breaker.snapshot();
                assertThat(List.of(snap.windowCalls(), snap.windowFailures(), snap.windowSlowCalls())).as(where)
                        .isEqualTo(model.windowCounts(clock.nanoTime()));
            }
            if (model.state == CircuitBreakerState.OPEN) {
                assertThat(breaker.snapshot().nextAttemptAt()).as(where)
                        .isEqualTo(clock.toInstant(model.openUntil()));
            }
        }
    }

    @Provide
    Arbitrary<CircuitBreakerConfigBuilder> configs() {
        Arbitrary<Integer> failureThreshold = Arbitraries.integers().between(1, 6);
        Arbitrary<Integer> halfOpenMaxCalls = Arbitraries.integers().between(1, 4);
        Arbitrary<Integer> successFraction = Arbitraries.integers().between(1, 4);
        Arbitrary<Integer> resetSeconds = Arbitraries.integers().between(1, 60);
        Arbitrary<Integer> maxWaitSeconds = Arbitraries.integers().between(1, 90);
        Arbitrary<Integer> windowKind = Arbitraries.integers().between(0, 2);
        Arbitrary<Integer> windowLength = Arbitraries.integers().between(1, 10);
        Arbitrary<Double> failureRate = Arbitraries.of(0.0, 0.25, 0.5, 1.0);
        Arbitrary<Double> slowRate = Arbitraries.of(0.0, 0.3, 0.5, 1.0);
        Arbitrary<Boolean> backoff = Arbitraries.of(true, false);
        return Combinators.combine(failureThreshold, halfOpenMaxCalls, successFraction, resetSeconds, maxWaitSeconds,
                windowKind, windowLength, Combinators.combine(failureRate, slowRate, backoff).as(List::of))
                .as((failures, maxCalls, succ, reset, maxWait, kind, length, rest) -> {
                    double fr = (Double) rest.get(0);
                    double sr = (Double) rest.get(1);
                    boolean withBackoff = (Boolean) rest.get(2);
                    CircuitBreakerConfigBuilder b = CircuitBreakerConfig.builder("model")
                            .failureThreshold(failures)
                            .halfOpenMaxCalls(maxCalls)
                            .successThreshold(Math.min(succ, maxCalls))
                            .resetTimeout(Duration.ofSeconds(reset))
                            .halfOpenMaxWait(Duration.ofSeconds(maxWait))
                            .slowCallDuration(Duration.ofNanos(SLOW_NANOS));
                    if (withBackoff) {
                        b.exponentialBackoff(2.0, Duration.ofSeconds(reset * 5L));
                    }
                    if (kind == 0) {
                        return b;
                    }
                    if (kind == 1) {
                        b.windowSize(length).minimumCalls(Math.max(1, length / 2));
                    } else {
                        b.windowDuration(Duration.ofSeconds(length)).minimumCalls(3);
                    }
                    if (fr > 0) {
                        b.failureRateThreshold(fr);
                    }
                    if (sr > 0) {
                        b.slowCallRateThreshold(sr);
                    }
                    return b;
                });
    }

    @Provide
    Arbitrary<List<Step>> steps() {
        Arbitrary<Step> step = Arbitraries.frequencyOf(
                net.jqwik.api.Tuple.of(10, Arbitraries.just(new Acquire())),
                net.jqwik.api.Tuple.of(6, Arbitraries.of(true, false).map(slow -> (Step) new Success(slow))),
                net.jqwik.api.Tuple.of(7, Arbitraries.of(true, false).map(slow -> (Step) new Failure(slow))),
                net.jqwik.api.Tuple.of(1, Arbitraries.just(new Ignored())),
                net.jqwik.api.Tuple.of(5, Arbitraries.longs().between(1, 1_500).map(ms -> (Step) new Advance(ms))),
                net.jqwik.api.Tuple.of(2, Arbitraries.longs().between(1_500, 40_000).map(ms -> (Step) new Advance(ms))),
                net.jqwik.api.Tuple.of(1, Arbitraries.just(new ForceOpen())),
                net.jqwik.api.Tuple.of(1, Arbitraries.just(new Disable())),
                net.jqwik.api.Tuple.of(1, Arbitraries.just(new Reset())));
        return step.list().ofMinSize(1).ofMaxSize(120);
    }
}
