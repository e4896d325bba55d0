package io.breakwater.compat;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.breakwater.interceptors.CircuitBreakerProducer;
import io.breakwater.interceptors.CircuitBreakerProducerInterceptor;
import io.breakwater.interceptors.ForwardingProducer;
import io.breakwater.interceptors.KafkaClientVersion;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.util.ArrayList;
import java.util.List;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerInterceptor;
import org.junit.jupiter.api.Test;

/** This JVM runs the kafka-clients under test, alone, and Breakwater's classes answer its interfaces. */
class ClientVersionIT {

    static final String UNDER_TEST = System.getProperty("compat.kafka.version");

    @Test
    void theTestJvmRunsTheKafkaClientsUnderTestAndNoBroker() throws Exception {
        assertThat(UNDER_TEST).as("compat.kafka.version, set by the build").isNotBlank();
        assertThat(KafkaClientVersion.current()).isEqualTo(UNDER_TEST);
        assertThat(Producer.class.getProtectionDomain().getCodeSource().getLocation().getPath())
                .endsWith("/kafka-clients-" + UNDER_TEST + ".jar");
        // The broker's classes are in its own JVM only.
        assertThatThrownBy(() -> Class.forName("kafka.server.KafkaRaftServer")).isInstanceOf(ClassNotFoundException.class);
        System.out.println("compat: kafka-clients " + KafkaClientVersion.current() + " from "
                + Producer.class.getProtectionDomain().getCodeSource().getLocation());
    }

    /** The methods of {@code api} that {@code implementation} does not implement in one of {@code owners}. */
    private static List<String> notImplemented(Class<?> api, Class<?> implementation, List<Class<?>> owners) {
        List<String> missing = new ArrayList<>();
        for (Method method : api.getMethods()) {
            if (Modifier.isStatic(method.getModifiers())) {
                continue;
            }
            try {
                Method own = implementation.getMethod(method.getName(), method.getParameterTypes());
                if (Modifier.isAbstract(own.getModifiers()) || !owners.contains(own.getDeclaringClass())) {
                    missing.add(method + " (inherited from " + own.getDeclaringClass().getName() + ")");
                }
            } catch (NoSuchMethodException e) {
                missing.add(method.toString());
            }
        }
        return missing;
    }

    @Test
    void theWrapperImplementsEveryMethodOfThisReleasesProducer() {
        assertThat(notImplemented(Producer.class, CircuitBreakerProducer.class,
                List.of(CircuitBreakerProducer.class, ForwardingProducer.class)))
                .as("Producer methods of kafka-clients %s the wrapper does not implement", UNDER_TEST).isEmpty();
    }

    @Test
    void theInterceptorImplementsEveryMethodOfThisReleasesProducerInterceptor() {
        assertThat(notImplemented(ProducerInterceptor.class, CircuitBreakerProducerInterceptor.class,
                List.of(CircuitBreakerProducerInterceptor.class)))
                .as("ProducerInterceptor methods of kafka-clients %s the interceptor does not implement", UNDER_TEST).isEmpty();
    }
}
