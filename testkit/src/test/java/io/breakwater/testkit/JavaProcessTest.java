package io.breakwater.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class JavaProcessTest {

    @AfterEach
    void clear() {
        System.clearProperty(JavaProcess.BROKER_CLASS_PATH_PROPERTY);
    }

    @Test
    void aBrokerGetsThisJvmsClasspathUnlessThePropertyNamesItsOwn() {
        assertThat(JavaProcess.brokerClassPath()).isEqualTo(JavaProcess.classPath());
        System.setProperty(JavaProcess.BROKER_CLASS_PATH_PROPERTY, " ");
        assertThat(JavaProcess.brokerClassPath()).as("blank: unset").isEqualTo(JavaProcess.classPath());
        System.setProperty(JavaProcess.BROKER_CLASS_PATH_PROPERTY, "/broker/a.jar:/broker/b.jar");
        assertThat(JavaProcess.brokerClassPath()).isEqualTo("/broker/a.jar:/broker/b.jar");
    }

    @Test
    void theCommandCarriesTheClasspathItIsGiven() {
        List<String> command = JavaProcess.builder(KafkaNodeMain.class, "/broker/a.jar", List.of("-Xmx128m"), List.of("x"))
                .command();
        assertThat(command.subList(1, command.size()))
                .containsExactly("-Xmx128m", "-cp", "/broker/a.jar", KafkaNodeMain.class.getName(), "x");
        assertThatThrownBy(() -> JavaProcess.builder(KafkaNodeMain.class, null, List.of(), List.of()))
                .isInstanceOf(NullPointerException.class).hasMessage("classPath");
    }
}
