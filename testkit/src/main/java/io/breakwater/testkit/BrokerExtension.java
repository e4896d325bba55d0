package io.breakwater.testkit;

import java.time.Duration;
import java.util.Optional;
import java.util.function.Supplier;
import org.apache.kafka.clients.admin.Admin;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolutionException;
import org.junit.jupiter.api.extension.ParameterResolver;
import org.junit.platform.commons.support.AnnotationSupport;
import org.opentest4j.TestAbortedException;
import org.testcontainers.redpanda.RedpandaContainer;

/** The JUnit 5 side of {@link RealBroker}: picks, starts, shares and closes the broker. */
public final class BrokerExtension implements BeforeAllCallback, ParameterResolver {

    /** The Redpanda image used where Docker runs; the compose stack pins the same. */
    public static final String REDPANDA_IMAGE = "docker.redpanda.com/redpandadata/redpanda:v24.3.6";

    private static final ExtensionContext.Namespace NAMESPACE = ExtensionContext.Namespace.create(BrokerExtension.class);
    private static final String SHARED = "shared-broker";
    private static final String OWN = "class-broker";
    // Classes may start in parallel: one shared-broker start at a time, so that the run makes only one.
    private static final Object SHARED_START = new Object();

    @Override
    public void beforeAll(ExtensionContext context) {
        RealBroker spec = AnnotationSupport.findAnnotation(context.getRequiredTestClass(), RealBroker.class)
                .orElseThrow(() -> new IllegalStateException("BrokerExtension needs @RealBroker on " + context.getRequiredTestClass()));
        BrokerKind kind = BrokerKind.detect();
        if (kind != BrokerKind.EMBEDDED && (spec.nodes() > 1 || spec.faults())) {
            throw new TestAbortedException("skipped: this test needs " + (spec.faults() ? "fault injection" : spec.nodes() + " nodes")
                    + ", which only the embedded Kafka provides, but the broker here is " + kind
                    + (kind == BrokerKind.EXTERNAL ? " (" + BrokerKind.BOOTSTRAP_ENV + " is set)" : " (a Docker engine runs)"));
        }
        if (spec.nodes() == 1 && !spec.faults()) {
            shared(context, () -> start(kind, 1));
        } else {
            context.getStore(NAMESPACE).put(OWN, start(kind, spec.nodes()));
        }
    }

    /**
     * The broker the plain single-node classes of this run share, started by the first class that needs
     * it and closed with the root store. A start that fails fails that class and is not remembered: the
     * next class starts one again. (The store's getOrComputeIfAbsent would remember the failure, and every
     * later class would fail with it.)
     */
    static TestBroker shared(ExtensionContext context, Supplier<TestBroker> start) {
        ExtensionContext.Store root = context.getRoot().getStore(NAMESPACE);
        synchronized (SHARED_START) {
            TestBroker broker = root.get(SHARED, TestBroker.class);
            if (broker == null) {
                broker = start.get();
                root.put(SHARED, broker);
            }
            return broker;
        }
    }

    static TestBroker broker(ExtensionContext context) {
        ExtensionContext classContext = context;
        while (classContext.getTestMethod().isPresent() && classContext.getParent().isPresent()) {
            classContext = classContext.getParent().get();
        }
        TestBroker own = classContext.getStore(NAMESPACE).get(OWN, TestBroker.class);
        if (own != null) {
            return own;
        }
        return Optional.ofNullable(context.getRoot().getStore(NAMESPACE).get(SHARED, TestBroker.class))
                .orElseThrow(() -> new IllegalStateException("no broker: is the class annotated @RealBroker?"));
    }

    static TestBroker start(BrokerKind kind, int nodes) {
        switch (kind) {
            case EXTERNAL:
                return new External(System.getenv(BrokerKind.BOOTSTRAP_ENV));
            case REDPANDA:
                return new Redpanda();
            case EMBEDDED:
            default:
                return TestBroker.of(EmbeddedKafkaCluster.builder().nodes(nodes).start());
        }
    }

    @Override
    public boolean supportsParameter(ParameterContext parameter, ExtensionContext extension) {
        Class<?> type = parameter.getParameter().getType();
        return type == TestBroker.class || type == EmbeddedKafkaCluster.class;
    }

    @Override
    public Object resolveParameter(ParameterContext parameter, ExtensionContext extension) {
        TestBroker broker = broker(extension);
        if (parameter.getParameter().getType() == EmbeddedKafkaCluster.class) {
            if (broker.kind() != BrokerKind.EMBEDDED) {
                throw new ParameterResolutionException("an EmbeddedKafkaCluster parameter needs the embedded broker, "
                        + "but the broker here is " + broker.kind() + "; use @RealBroker(faults = true)");
            }
            return broker.cluster();
        }
        return broker;
    }

    /** A broker somebody else runs; an admin client is all this side owns. */
    private static class External implements TestBroker {
        private final String bootstrap;
        private Admin admin;

        External(String bootstrap) {
            this.bootstrap = bootstrap;
        }

        @Override
        public BrokerKind kind() {
            return BrokerKind.EXTERNAL;
        }

        @Override
        public String bootstrapServers() {
            return bootstrap;
        }

        @Override
        public synchronized Admin admin() {
            if (admin == null) {
                admin = Admin.create(clientConfig());
            }
            return admin;
        }

        @Override
        public synchronized void close() {
            if (admin != null) {
                admin.close(Duration.ofSeconds(5));
                admin = null;
            }
        }
    }

    /** Redpanda in a container. */
    private static final class Redpanda extends External {
        private final RedpandaContainer container;

        Redpanda() {
            this(startContainer());
        }

        private Redpanda(RedpandaContainer container) {
            super(container.getBootstrapServers());
            this.container = container;
        }

        private static RedpandaContainer startContainer() {
            RedpandaContainer container = new RedpandaContainer(REDPANDA_IMAGE);
            container.start();
            return container;
        }

        @Override
        public BrokerKind kind() {
            return BrokerKind.REDPANDA;
        }

        @Override
        public synchronized void close() {
            super.close();
            container.stop();
        }
    }
}
