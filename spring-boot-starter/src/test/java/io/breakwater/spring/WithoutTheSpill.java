package io.breakwater.spring;

import io.breakwater.eventbus.EventBus;
import io.breakwater.eventbus.PublishResult;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.kafka.autoconfigure.KafkaAutoConfiguration;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;

/**
 * An application that turns the EventBus on, run by {@link WithoutTheSpillTest} in a class loader that has no class of
 * breakwater-spill (an optional dependency of the starter), as an application that never added it.
 */
public final class WithoutTheSpill {

    private WithoutTheSpill() {
    }

    /** What the started bus did with a publish while its transport was open; throws what the start threw. */
    public static String run() throws Throwable {
        AtomicReference<Throwable> failure = new AtomicReference<>();
        AtomicReference<String> outcome = new AtomicReference<>();
        new ApplicationContextRunner()
                .withConfiguration(AutoConfigurations.of(BreakwaterAutoConfiguration.class, KafkaAutoConfiguration.class,
                        BreakwaterKafkaAutoConfiguration.class))
                .withPropertyValues("spring.kafka.bootstrap-servers=127.0.0.1:1", "breakwater.event-bus.enabled=true")
                .run(context -> {
                    if (context.getStartupFailure() != null) {
                        failure.set(context.getStartupFailure());
                        return;
                    }
                    EventBus bus = context.getBean(EventBus.class);
                    bus.transportBreaker().forceOpen("test");
                    try {
                        PublishResult result = bus.publishStream("orders", "o-1").get(30, TimeUnit.SECONDS);
                        outcome.set("published: " + result);
                    } catch (ExecutionException e) {
                        outcome.set("refused: " + e.getCause().getClass().getSimpleName());
                    }
                });
        if (failure.get() != null) {
            throw failure.get();
        }
        return outcome.get();
    }
}
