package io.breakwater.spring;

import static org.assertj.core.api.Assertions.assertThat;

import io.breakwater.breaker.CircuitBreakerRegistry;
import io.breakwater.testkit.Workspace;
import java.nio.file.Files;
import java.time.Duration;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.boot.env.YamlPropertySourceLoader;
import org.springframework.boot.kafka.autoconfigure.KafkaAutoConfiguration;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.core.env.PropertySource;
import org.springframework.core.io.ByteArrayResource;

/** The README's application.yml, bound by the starter as an application would. */
class ReadmeSpringBootTest {

    @Test
    void theReadmesApplicationYmlStartsTheStarter() throws Exception {
        String readme = Files.readString(Workspace.root().resolve("README.md"));
        Matcher m = Pattern.compile("<!-- snippet: spring-boot-yml -->\\s*```yaml\\n(.*?)```", Pattern.DOTALL)
                .matcher(readme);
        assertThat(m.find()).as("the README's spring-boot-yml block").isTrue();
        PropertySource<?> yml = new YamlPropertySourceLoader()
                .load("README", new ByteArrayResource(m.group(1).getBytes(java.nio.charset.StandardCharsets.UTF_8)))
                .get(0);
        new ApplicationContextRunner()
                .withConfiguration(AutoConfigurations.of(BreakwaterAutoConfiguration.class, KafkaAutoConfiguration.class))
                .withInitializer(context -> context.getEnvironment().getPropertySources().addFirst(yml))
                .run(context -> {
                    assertThat(context).hasNotFailed();
                    BreakwaterBreakers breakers = context.getBean(BreakwaterBreakers.class);
                    assertThat(breakers.config("kafka-template").resetTimeout()).isEqualTo(Duration.ofSeconds(10));
                    assertThat(breakers.config("other").resetTimeout()).isEqualTo(Duration.ofSeconds(30));
                    assertThat(context.getBean(CircuitBreakerRegistry.class).get("kafka-template")).isPresent();
                    BreakwaterKafkaProperties kafka = Binder.get(context.getEnvironment())
                            .bind("breakwater", BreakwaterKafkaProperties.class).get();
                    assertThat(kafka.getListeners().get("orders").getPauseOn()).isEqualTo("db");
                });
    }
}
