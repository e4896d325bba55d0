package io.breakwater.breaker;

import static org.assertj.core.api.Assertions.assertThat;

import io.breakwater.breaker.BreakerModel.Counters;
import io.breakwater.breaker.BreakerModel.Settings;
import io.breakwater.breaker.BreakerModel.Totals;
import io.breakwater.breaker.BreakerModel.Transition;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Random;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;

/**
 * A seeded random walk: random configs, then random calls, outcomes, time steps and commands, applied to
 * the real breaker and to {@link BreakerModel}, the documented rules. After every step both must agree on
 * the state, on every permission, on the lifetime counters, on the window, on the next attempt time and
 * on the transitions a listener saw. The seed is printed; {@code -Dbreakwater.model.seed=N} replays a run.
 */
class BreakerModelWalkTest {

    private static final String SEED_PROPERTY = "breakwater.model.seed";
    private static final int WALKS = 125;
    private static final int STEPS_PER_WALK = 160;
    private static final int TRAIL = 20;

    /** What a step does, and how often the walk picks it (relative weights). */
    enum Action {
        CAN_EXECUTE(40),
        SUCCESS(12), SUCCESS_FAST(8), SUCCESS_SLOW(8),
        FAILURE(14), FAILURE_FAST(6), FAILURE_SLOW(6),
        FAILURE_THAT_DOES_NOT_COUNT(3), RECORD_IGNORED(3), RELEASE_PERMIT(5),
        CHECK_TIMEOUTS(5),
        ADVANCE_MILLIS(15), ADVANCE_SECONDS(5), ADVANCE_TO_NEXT_SECOND(3),
        ADVANCE_RESET_TIMEOUT(4), ADVANCE_HALF_OPEN_MAX_WAIT(3),
        FORCE_OPEN(1), DISABLE(1), RESET(2);

        final int weight;

        Action(int weight) {
            this.weight = weight;
        }
    }

    @Test
    void theBreakerFollowsTheDocumentedRulesOnARandomWalk() {
        long seed = Long.getLong(SEED_PROPERTY, new Random().nextLong());
        System.out.println("BreakerModelWalkTest seed " + seed + " (replay: -D" + SEED_PROPERTY + "=" + seed + ")");
        Random random = new Random(seed);
        for (int walk = 0; walk < WALKS; walk++) {
            new Walk(seed, walk, randomSettings(random), random).run(STEPS_PER_WALK);
        }
    }

    private static Settings randomSettings(Random r) {
        int halfOpenMaxCalls = 1 + r.nextInt(4);
        Duration resetTimeout = Duration.ofMillis(100 + r.nextInt(60_000));
        Duration halfOpenMaxWait = r.nextInt(3) == 0 ? null : Duration.ofMillis(100 + r.nextInt(90_000));
        Integer windowSize = null;
        Duration windowDuration = null;
        Integer minimumCalls = null;
        switch (r.nextInt(3)) {
            case 1 -> {
                windowSize = 1 + r.nextInt(20);
                minimumCalls = r.nextBoolean() ? null : 1 + r.nextInt(windowSize);
            }
            case 2 -> {
                windowDuration = Duration.ofSeconds(1 + r.nextInt(10));
                minimumCalls = r.nextBoolean() ? null : 1 + r.nextInt(12);
            }
            default -> {
            }
        }
        boolean window = windowSize != null || windowDuration != null;
        double[] rates = {0.1, 0.2, 0.25, 0.3, 0.5, 0.6, 0.75, 1.0};
        Double failureRate = window && r.nextInt(3) > 0 ? rates[r.nextInt(rates.length)] : null;
        Duration slowCallDuration = r.nextBoolean() ? Duration.ofMillis(1 + r.nextInt(2_000)) : null;
        Double slowRate = window && slowCallDuration != null && r.nextBoolean() ? rates[r.nextInt(rates.length)] : null;
        // Multipliers and whole milliseconds keep resetTimeout × multiplier^k exact in a double.
        double[] multipliers = {1.0, 1.5, 2.0, 3.0};
        Double multiplier = r.nextBoolean() ? multipliers[r.nextInt(multipliers.length)] : null;
        Duration maxResetTimeout = multiplier == null ? null : resetTimeout.multipliedBy(1 + r.nextInt(20));
        return new Settings(1 + r.nextInt(8), 1 + r.nextInt(halfOpenMaxCalls), halfOpenMaxCalls, resetTimeout,
                halfOpenMaxWait, windowSize, windowDuration, minimumCalls, failureRate, slowRate, slowCallDuration,
                multiplier, maxResetTimeout);
    }

    /** One config, one breaker, one model, and the steps taken so far. */
    private static final class Walk {
        private final long seed;
        private final int walk;
        private final Settings settings;
        private final Random random;
        private final ManualClock clock = new ManualClock();
        private final CircuitBreaker breaker;
        private final BreakerModel model;
        private final List<Transition> seen = new ArrayList<>();
        private final Deque<String> trail = new ArrayDeque<>();
        private final int totalWeight;
        private int step;
        // The answers of this step's canExecute(), if it asked: the breaker's and the model's.
        private Boolean granted;
        private Boolean expectedGrant;

        Walk(long seed, int walk, Settings settings, Random random) {
            this.seed = seed;
            this.walk = walk;
            this.settings = settings;
            this.random = random;
            this.breaker = CircuitBreaker.of(settings.toBuilder(IllegalArgumentException.class).clock(clock).build());
            this.model = new BreakerModel(settings);
            breaker.onTransition(t -> seen.add(new Transition(t.from(), t.to(), t.sequence())));
            int sum = 0;
            for (Action a : Action.values()) {
                sum += a.weight;
            }
            this.totalWeight = sum;
        }

        void run(int steps) {
            for (step = 0; step < steps; step++) {
                granted = null;
                expectedGrant = null;
                remember(apply(pick()));
                check();
            }
        }

        /** A random action; a breaker set by hand is also reset now and then, so walks do not idle there. */
        private Action pick() {
            CircuitBreakerState state = model.state();
            if ((state == CircuitBreakerState.DISABLED || state == CircuitBreakerState.FORCED_OPEN)
                    && random.nextInt(8) == 0) {
                return Action.RESET;
            }
            int n = random.nextInt(totalWeight);
            for (Action a : Action.values()) {
                n -= a.weight;
                if (n < 0) {
                    return a;
                }
            }
            throw new AssertionError();
        }

        /** Applies {@code action} to the breaker and the model; returns what it did, for the trail. */
        private String apply(Action action) {
            long now = clock.nanoTime();
            switch (action) {
                case CAN_EXECUTE -> {
                    granted = breaker.canExecute();
                    expectedGrant = model.canExecute(now);
                    return "canExecute() = " + granted;
                }
                case SUCCESS -> {
                    breaker.recordSuccess();
                    model.success(now, -1);
                    return "recordSuccess()";
                }
                case SUCCESS_FAST, SUCCESS_SLOW -> {
                    long d = duration(action == Action.SUCCESS_SLOW);
                    breaker.recordSuccess(d);
                    model.success(now, d);
                    return "recordSuccess(" + d + " ns)";
                }
                case FAILURE -> {
                    breaker.recordFailure(new IOException("down"));
                    model.failure(now, -1);
                    return "recordFailure(IOException)";
                }
                case FAILURE_FAST, FAILURE_SLOW -> {
                    long d = duration(action == Action.FAILURE_SLOW);
                    breaker.recordFailure(new IOException("down"), d);
                    model.failure(now, d);
                    return "recordFailure(IOException, " + d + " ns)";
                }
                case FAILURE_THAT_DOES_NOT_COUNT -> {
                    breaker.recordFailure(new IllegalArgumentException("caller's bug"));
                    model.ignored();
                    return "recordFailure(IllegalArgumentException: ignored)";
                }
                case RECORD_IGNORED -> {
                    breaker.recordIgnored();
                    model.ignored();
                    return "recordIgnored()";
                }
                case RELEASE_PERMIT -> {
                    breaker.releasePermit();
                    model.releasePermit();
                    return "releasePermit()";
                }
                case CHECK_TIMEOUTS -> {
                    breaker.checkTimeouts();
                    model.checkTimeouts(now);
                    return "checkTimeouts()";
                }
                case ADVANCE_MILLIS -> {
                    return advance(Duration.ofMillis(1 + random.nextInt(999)));
                }
                case ADVANCE_SECONDS -> {
                    return advance(Duration.ofMillis(1_000 + random.nextInt(120_000)));
                }
                case ADVANCE_TO_NEXT_SECOND -> {
                    return advance(Duration.ofNanos(1_000_000_000L - now % 1_000_000_000L));
                }
                case ADVANCE_RESET_TIMEOUT -> {
                    return advance(settings.resetTimeout());
                }
                case ADVANCE_HALF_OPEN_MAX_WAIT -> {
                    return advance(settings.halfOpenMaxWait() != null ? settings.halfOpenMaxWait() : settings.resetTimeout());
                }
                case FORCE_OPEN -> {
                    breaker.forceOpen();
                    model.forceOpen();
                    return "forceOpen()";
                }
                case DISABLE -> {
                    breaker.disable();
                    model.disable();
                    return "disable()";
                }
                case RESET -> {
                    breaker.reset();
                    model.reset();
                    return "reset()";
                }
                default -> throw new AssertionError(action);
            }
        }

        /** A call duration: slow ones reach slowCallDuration (sometimes exactly), fast ones stay below it. */
        private long duration(boolean slow) {
            if (settings.slowCallDuration() == null) {
                return random.nextInt(5_000) * 1_000_000L;
            }
            long limit = settings.slowCallDuration().toNanos();
            if (slow) {
                return random.nextInt(4) == 0 ? limit : limit + 1 + (long) (random.nextDouble() * limit);
            }
            return random.nextInt(4) == 0 ? limit - 1 : (long) (random.nextDouble() * limit);
        }

        private String advance(Duration by) {
            clock.advance(by);
            return "advance " + by.toNanos() + " ns";
        }

        private void check() {
            long now = clock.nanoTime();
            assertThat(granted).as(report("canExecute()")).isEqualTo(expectedGrant);
            assertThat(breaker.state()).as(report("state")).isEqualTo(model.state());
            CircuitBreakerSnapshot s = breaker.snapshot();
            assertThat(new Counters(s.successfulCalls(), s.failedCalls(), s.slowCalls(), s.rejectedCalls(), s.ignoredCalls()))
                    .as(report("lifetime counters (successful, failed, slow, rejected, ignored)"))
                    .isEqualTo(model.counters());
            assertThat(List.copyOf(seen)).as(report("transitions a listener saw (from, to, sequence)"))
                    .isEqualTo(model.transitions());
            assertThat(new Totals(s.windowCalls(), s.windowFailures(), s.windowSlowCalls()))
                    .as(report("window (calls, failures, slow calls)")).isEqualTo(model.window(now));
            long next = model.nextAttemptNanos();
            assertThat(s.nextAttemptAt()).as(report("next attempt time"))
                    .isEqualTo(next < 0 ? null : clock.toInstant(next));
        }

        private void remember(String done) {
            if (trail.size() == TRAIL) {
                trail.removeFirst();
            }
            long t = clock.nanoTime();
            String time = String.format("%d.%09d s", t / 1_000_000_000L, t % 1_000_000_000L);
            trail.addLast(String.format("%5d  t=%-18s %-50s model: %s", step, time, done, model.state()));
        }

        /** The assertion message: seed, walk, step, config and the last steps. */
        private Supplier<String> report(String what) {
            return () -> what + " at step " + step + " of walk " + walk + ", seed " + seed
                    + " (replay: -D" + SEED_PROPERTY + "=" + seed + ")\nconfig (null: the documented default): " + settings
                    + "\nmodel counters: " + model.counters() + "\nlast steps:\n" + String.join("\n", trail) + "\n";
        }
    }
}
