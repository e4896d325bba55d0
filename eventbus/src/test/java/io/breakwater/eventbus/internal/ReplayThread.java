package io.breakwater.eventbus.internal;

import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.Arrays;

/** The spill's replay thread, as tests see it. */
public final class ReplayThread {

    private ReplayThread() {
    }

    /**
     * Waits (up to {@code atMost}) until every replay thread waits for its next tick: a batch it sent is then recorded as
     * in flight, so what a publish does next is what it does behind that batch.
     */
    public static void awaitBetweenTicks(Duration atMost) {
        await().atMost(atMost).until(() -> Thread.getAllStackTraces().entrySet().stream()
                .filter(e -> e.getKey().getName().equals("breakwater-spill-replay"))
                .allMatch(e -> e.getKey().getState() == Thread.State.TIMED_WAITING && Arrays.stream(e.getValue())
                        .anyMatch(f -> f.getClassName().endsWith("DelayedWorkQueue") && f.getMethodName().equals("take"))));
    }
}
