package io.breakwater.testkit;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Inherited;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Gives a test class a real broker, injected as a {@link TestBroker} (or {@link EmbeddedKafkaCluster})
 * parameter. The broker is, in order: the cluster named by {@code BREAKWATER_BOOTSTRAP_SERVERS}; Redpanda
 * in a container where a Docker engine runs; Apache Kafka embedded in the JVM. A class that needs several
 * nodes or fault injection runs only on the embedded Kafka, and is skipped with the reason elsewhere.
 *
 * <p>Plain single-node classes share one broker for the whole run; the others get their own.
 */
@Target(ElementType.TYPE)
@Retention(RetentionPolicy.RUNTIME)
@Documented
@Inherited
@ExtendWith(BrokerExtension.class)
public @interface RealBroker {

    /** Nodes in the cluster (more than 1 needs the embedded Kafka). */
    int nodes() default 1;

    /** Whether the test injects faults (needs the embedded Kafka, and gets a cluster of its own). */
    boolean faults() default false;
}
