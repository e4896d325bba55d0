package io.breakwater.compat;

import io.breakwater.testkit.ForkedKafkaBroker;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolver;

/**
 * One Kafka 4.4 broker in its own JVM for the whole run: started by the first test that asks for it, closed
 * when the run ends. Its JVM has the 4.4 classpath ({@code breakwater.broker.classpath}, set by the build);
 * this one has the kafka-clients under test. A test that freezes it resumes it; after each test it is
 * resumed anyway, so that one failing test does not fail the others.
 */
final class CompatBroker implements ParameterResolver, AfterEachCallback {

    private static final ExtensionContext.Namespace NAMESPACE = ExtensionContext.Namespace.create(CompatBroker.class);

    /** Closes the broker when the root context closes, at the end of the run (JUnit closes what its stores hold). */
    private record Holder(ForkedKafkaBroker broker) implements AutoCloseable {
        @Override
        public void close() {
            broker.close();
        }
    }

    private static ForkedKafkaBroker broker(ExtensionContext context) {
        return context.getRoot().getStore(NAMESPACE)
                .getOrComputeIfAbsent(Holder.class, k -> new Holder(ForkedKafkaBroker.start()), Holder.class).broker();
    }

    @Override
    public boolean supportsParameter(ParameterContext parameter, ExtensionContext context) {
        return parameter.getParameter().getType() == ForkedKafkaBroker.class;
    }

    @Override
    public Object resolveParameter(ParameterContext parameter, ExtensionContext context) {
        return broker(context);
    }

    @Override
    public void afterEach(ExtensionContext context) {
        Holder holder = context.getRoot().getStore(NAMESPACE).get(Holder.class, Holder.class);
        if (holder != null && holder.broker().isAlive()) {
            holder.broker().resume();
        }
    }
}
