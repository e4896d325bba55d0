package io.breakwater.cli.internal;

import io.breakwater.breaker.CircuitBreaker;
import io.breakwater.breaker.CircuitBreakerState;
import io.breakwater.testkit.ForkedKafkaBroker;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

/** The demo's faults, at fixed shares of the run, on the demo's own clock. */
final class FaultSchedule {

    static final int RECOVERY_GRACE_SECONDS = 20;

    private final Demo demo;
    private final ForkedKafkaBroker broker;
    private final List<CircuitBreaker> breakers;

    FaultSchedule(Demo demo, ForkedKafkaBroker broker, List<CircuitBreaker> breakers) {
        this.demo = demo;
        this.broker = broker;
        this.breakers = breakers;
    }

    /**
     * Freeze at 15 % of the run, resume at 35 %, kill at 50 %, restart at 60 %; then run to the end, and on
     * (at most {@value #RECOVERY_GRACE_SECONDS} s more) until every breaker has closed again.
     */
    void run() {
        long total = demo.options().duration().toNanos();
        List<Step> steps = List.of(new Step(15, broker::freeze, "broker frozen (SIGSTOP)", false),
                new Step(35, broker::resume, "broker resumed (SIGCONT)", true),
                new Step(50, broker::kill, "broker killed (SIGKILL)", false),
                new Step(60, broker::restart, "broker restarted", true));
        for (Step step : steps) {
            if (!sleepUntil(total * step.percent / 100)) {
                return;
            }
            step.fault.run();
            demo.fault(step.what, step.recovery);
        }
        if (!sleepUntil(total)) {
            return;
        }
        long grace = demo.now() + TimeUnit.SECONDS.toNanos(RECOVERY_GRACE_SECONDS);
        while (!demo.stopRequested() && demo.now() < grace
                && breakers.stream().anyMatch(b -> b.state() != CircuitBreakerState.CLOSED)) {
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(100));
        }
    }

    /** A fault or a recovery, at {@code percent} of the run. */
    private record Step(int percent, Runnable fault, String what, boolean recovery) {
    }

    /** Waits until demo time {@code demoNanos}; false when the demo was stopped first (Ctrl-C). */
    private boolean sleepUntil(long demoNanos) {
        long left;
        while (!demo.stopRequested() && (left = demoNanos - demo.now()) > 0) {
            LockSupport.parkNanos(left);
        }
        return !demo.stopRequested();
    }
}
