package io.breakwater.bench;

import dev.failsafe.Failsafe;
import dev.failsafe.FailsafeExecutor;
import dev.failsafe.function.CheckedSupplier;
import io.breakwater.breaker.CircuitBreaker;
import io.breakwater.breaker.CircuitBreakerConfig;
import io.breakwater.breaker.CircuitBreakerOpenException;
import io.github.resilience4j.circuitbreaker.CallNotPermittedException;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

/**
 * The same scenarios for Breakwater, Resilience4j and Failsafe, and a baseline without a breaker. One
 * breaker per library and scenario, shared by all benchmark threads, as a service shares one per
 * dependency. Method names: {@code scenario_library}.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
public class BreakerBenchmarks {

    /** What every "call" does: returns a value, as the cheapest real call would. */
    static final Object RESULT = new Object();

    @State(Scope.Benchmark)
    public static class Breakers {
        final Supplier<Object> supplier = () -> RESULT;
        final CheckedSupplier<Object> checkedSupplier = () -> RESULT;

        CircuitBreaker bwCount;
        CircuitBreaker bwTime;
        CircuitBreaker bwOpen;
        io.github.resilience4j.circuitbreaker.CircuitBreaker r4jCount;
        io.github.resilience4j.circuitbreaker.CircuitBreaker r4jTime;
        io.github.resilience4j.circuitbreaker.CircuitBreaker r4jOpen;
        dev.failsafe.CircuitBreaker<Object> fsCount;
        dev.failsafe.CircuitBreaker<Object> fsTime;
        FailsafeExecutor<Object> fsCountExecutor;
        dev.failsafe.CircuitBreaker<Object> fsOpen;
        FailsafeExecutor<Object> fsOpenExecutor;

        @Setup
        public void setUp() {
            bwCount = CircuitBreaker.of(CircuitBreakerConfig.builder("count").windowSize(100).failureRateThreshold(0.5).build());
            bwTime = CircuitBreaker.of(CircuitBreakerConfig.builder("time").windowDuration(Duration.ofSeconds(10))
                    .failureRateThreshold(0.5).build());
            // Tripped, not forced: a rejection then checks the reset timeout, an hour away, as it does in a real outage.
            bwOpen = CircuitBreaker.of(CircuitBreakerConfig.builder("open").resetTimeout(Duration.ofHours(1)).build());
            for (int i = 0; i < bwOpen.config().failureThreshold(); i++) {
                bwOpen.recordFailure("down");
            }

            r4jCount = io.github.resilience4j.circuitbreaker.CircuitBreaker.of("count", r4j()
                    .slidingWindowType(io.github.resilience4j.circuitbreaker.CircuitBreakerConfig.SlidingWindowType.COUNT_BASED)
                    .slidingWindowSize(100).build());
            r4jTime = io.github.resilience4j.circuitbreaker.CircuitBreaker.of("time", r4j()
                    .slidingWindowType(io.github.resilience4j.circuitbreaker.CircuitBreakerConfig.SlidingWindowType.TIME_BASED)
                    .slidingWindowSize(10).build());
            r4jOpen = io.github.resilience4j.circuitbreaker.CircuitBreaker.of("open", r4j()
                    .waitDurationInOpenState(Duration.ofHours(1)).build());
            r4jOpen.transitionToOpenState();

            fsCount = dev.failsafe.CircuitBreaker.builder().withFailureThreshold(50, 100).build();
            fsTime = dev.failsafe.CircuitBreaker.builder().withFailureRateThreshold(50, 10, Duration.ofSeconds(10)).build();
            fsOpen = dev.failsafe.CircuitBreaker.builder().withDelay(Duration.ofHours(1)).build();
            fsOpen.open();
            fsCountExecutor = Failsafe.with(fsCount);
            fsOpenExecutor = Failsafe.with(fsOpen);
        }

        /** Like for like: a 50 % failure rate, and no stack traces on rejection (Breakwater's default). */
        private static io.github.resilience4j.circuitbreaker.CircuitBreakerConfig.Builder r4j() {
            return io.github.resilience4j.circuitbreaker.CircuitBreakerConfig.custom()
                    .failureRateThreshold(50).writableStackTraceEnabled(false);
        }
    }

    @Benchmark
    public Object baseline(Breakers s) {
        return s.supplier.get();
    }

    // ---- the permission check alone, in CLOSED

    @Benchmark
    public boolean permission_breakwater(Breakers s) {
        return s.bwCount.canExecute();
    }

    @Benchmark
    public boolean permission_resilience4j(Breakers s) {
        return s.r4jCount.tryAcquirePermission();
    }

    @Benchmark
    public boolean permission_failsafe(Breakers s) {
        return s.fsCount.tryAcquirePermit();
    }

    // ---- permission and a recorded success, count window of 100

    @Benchmark
    public Object countWindow_breakwater(Breakers s) {
        if (s.bwCount.canExecute()) {
            Object r = s.supplier.get();
            s.bwCount.recordSuccess();
            return r;
        }
        return null;
    }

    @Benchmark
    public Object countWindow_resilience4j(Breakers s) {
        if (s.r4jCount.tryAcquirePermission()) {
            Object r = s.supplier.get();
            s.r4jCount.onSuccess(0, TimeUnit.NANOSECONDS);
            return r;
        }
        return null;
    }

    @Benchmark
    public Object countWindow_failsafe(Breakers s) {
        if (s.fsCount.tryAcquirePermit()) {
            Object r = s.supplier.get();
            s.fsCount.recordSuccess();
            return r;
        }
        return null;
    }

    // ---- permission and a recorded success, time window of 10 s

    @Benchmark
    public Object timeWindow_breakwater(Breakers s) {
        if (s.bwTime.canExecute()) {
            Object r = s.supplier.get();
            s.bwTime.recordSuccess();
            return r;
        }
        return null;
    }

    @Benchmark
    public Object timeWindow_resilience4j(Breakers s) {
        if (s.r4jTime.tryAcquirePermission()) {
            Object r = s.supplier.get();
            s.r4jTime.onSuccess(0, TimeUnit.NANOSECONDS);
            return r;
        }
        return null;
    }

    @Benchmark
    public Object timeWindow_failsafe(Breakers s) {
        if (s.fsTime.tryAcquirePermit()) {
            Object r = s.supplier.get();
            s.fsTime.recordSuccess();
            return r;
        }
        return null;
    }

    // ---- a full call through each library's own wrapper (count window of 100)

    @Benchmark
    public Object call_breakwater(Breakers s) {
        return s.bwCount.execute(s.supplier);
    }

    @Benchmark
    public Object call_resilience4j(Breakers s) {
        return s.r4jCount.executeSupplier(s.supplier);
    }

    @Benchmark
    public Object call_failsafe(Breakers s) {
        return s.fsCountExecutor.get(s.checkedSupplier);
    }

    // ---- the OPEN state's rejection path, through the wrapper

    @Benchmark
    public Object rejected_breakwater(Breakers s) {
        try {
            return s.bwOpen.execute(s.supplier);
        } catch (CircuitBreakerOpenException e) {
            return e;
        }
    }

    @Benchmark
    public Object rejected_resilience4j(Breakers s) {
        try {
            return s.r4jOpen.executeSupplier(s.supplier);
        } catch (CallNotPermittedException e) {
            return e;
        }
    }

    @Benchmark
    public Object rejected_failsafe(Breakers s) {
        try {
            return s.fsOpenExecutor.get(s.checkedSupplier);
        } catch (dev.failsafe.CircuitBreakerOpenException e) {
            return e;
        }
    }

    // ---- the OPEN state's refusal as a permission check: no exception, for callers that branch instead

    @Benchmark
    public boolean refused_breakwater(Breakers s) {
        return s.bwOpen.canExecute();
    }

    @Benchmark
    public boolean refused_resilience4j(Breakers s) {
        return s.r4jOpen.tryAcquirePermission();
    }

    @Benchmark
    public boolean refused_failsafe(Breakers s) {
        return s.fsOpen.tryAcquirePermit();
    }
}
