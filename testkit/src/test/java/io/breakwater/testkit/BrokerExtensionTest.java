package io.breakwater.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;
import static org.junit.platform.engine.discovery.DiscoverySelectors.selectClass;
import static org.junit.platform.testkit.engine.EventConditions.container;
import static org.junit.platform.testkit.engine.EventConditions.event;
import static org.junit.platform.testkit.engine.EventConditions.finishedSuccessfully;
import static org.junit.platform.testkit.engine.EventConditions.finishedWithFailure;
import static org.junit.platform.testkit.engine.TestExecutionResultConditions.message;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.kafka.clients.admin.Admin;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.ClassOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ConditionEvaluationResult;
import org.junit.jupiter.api.extension.ExecutionCondition;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolver;
import org.junit.platform.testkit.engine.EngineExecutionResults;
import org.junit.platform.testkit.engine.EngineTestKit;

/** The broker BrokerExtension shares between test classes, checked by running classes inside a test. */
class BrokerExtensionTest {

    private static final String RUN_INNER_CLASSES = "breakwater.test.brokerExtensionInnerClasses";

    // The inner classes run inside the test's own engine run, one class after another.
    private static final AtomicInteger STARTS = new AtomicInteger();
    private static final List<FakeBroker> STARTED = new CopyOnWriteArrayList<>();

    @BeforeEach
    void reset() {
        STARTS.set(0);
        STARTED.clear();
    }

    @Test
    void aSharedBrokerThatFailedToStartFailsOnlyItsClassAndTheNextClassStartsOneAgain() {
        EngineExecutionResults results = EngineTestKit.engine("junit-jupiter")
                .configurationParameter(RUN_INNER_CLASSES, "true")
                .configurationParameter("junit.jupiter.testclass.order.default", ClassOrderer.OrderAnnotation.class.getName())
                .selectors(selectClass(FirstClass.class), selectClass(SecondClass.class), selectClass(ThirdClass.class))
                .execute();

        results.containerEvents().assertThatEvents()
                .haveExactly(1, event(container(FirstClass.class), finishedWithFailure(message("the broker did not start"))))
                .haveExactly(1, event(container(SecondClass.class), finishedSuccessfully()))
                .haveExactly(1, event(container(ThirdClass.class), finishedSuccessfully()));
        results.testEvents().assertStatistics(tests -> tests.started(2).succeeded(2));
        assertThat(STARTS).as("starts: the failed one, then one shared by the next two classes").hasValue(2);
        assertThat(STARTED).singleElement().satisfies(broker -> assertThat(broker.closed).hasValue(1));
    }

    /** Plays BrokerExtension's part for the shared broker, with a start the test controls. */
    static final class SharedBrokerOfTheTest implements ExecutionCondition, BeforeAllCallback, ParameterResolver {

        @Override
        public ConditionEvaluationResult evaluateExecutionCondition(ExtensionContext context) {
            return context.getConfigurationParameter(RUN_INNER_CLASSES).isPresent()
                    ? ConditionEvaluationResult.enabled("run by BrokerExtensionTest")
                    : ConditionEvaluationResult.disabled("runs only inside BrokerExtensionTest");
        }

        @Override
        public void beforeAll(ExtensionContext context) {
            BrokerExtension.shared(context, () -> {
                if (STARTS.incrementAndGet() == 1) {
                    throw new IllegalStateException("the broker did not start");
                }
                FakeBroker broker = new FakeBroker();
                STARTED.add(broker);
                return broker;
            });
        }

        @Override
        public boolean supportsParameter(ParameterContext parameter, ExtensionContext extension) {
            return parameter.getParameter().getType() == TestBroker.class;
        }

        @Override
        public Object resolveParameter(ParameterContext parameter, ExtensionContext extension) {
            return BrokerExtension.broker(extension);
        }
    }

    @ExtendWith(SharedBrokerOfTheTest.class)
    @Order(1)
    static class FirstClass {
        @Test
        void neverRuns(TestBroker broker) {
            fail("the class has no broker, so none of its tests runs");
        }
    }

    @ExtendWith(SharedBrokerOfTheTest.class)
    @Order(2)
    static class SecondClass {
        @Test
        void getsTheBrokerStartedForIt(TestBroker broker) {
            assertThat(broker).isSameAs(STARTED.get(0));
        }
    }

    @ExtendWith(SharedBrokerOfTheTest.class)
    @Order(3)
    static class ThirdClass {
        @Test
        void sharesThatBroker(TestBroker broker) {
            assertThat(broker).isSameAs(STARTED.get(0));
        }
    }

    private static final class FakeBroker implements TestBroker {
        final AtomicInteger closed = new AtomicInteger();

        @Override
        public BrokerKind kind() {
            return BrokerKind.EXTERNAL;
        }

        @Override
        public String bootstrapServers() {
            return "fake:9092";
        }

        @Override
        public Admin admin() {
            throw new UnsupportedOperationException("a fake broker has no admin client");
        }

        @Override
        public void close() {
            closed.incrementAndGet();
        }
    }
}
