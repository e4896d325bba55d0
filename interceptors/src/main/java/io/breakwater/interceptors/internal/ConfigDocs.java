package io.breakwater.interceptors.internal;

import java.util.Locale;
import org.apache.kafka.common.config.ConfigDef;

/** The reference table of a {@code ConfigDef}, in Markdown, for {@code docs/configuration.md}. */
public final class ConfigDocs {

    private ConfigDocs() {
    }

    public static String markdownTable(ConfigDef def) {
        StringBuilder md = new StringBuilder()
                .append("# Breakwater configuration\n\n")
                .append("The `breakwater.*` keys that `CircuitBreakerProducerInterceptor`, ")
                .append("`CircuitBreakerProducer.wrap(producer, properties)` and `RedpandaTransport.builder(properties)` ")
                .append("read from a producer's properties. ")
                .append("Generated from `BreakwaterConfig.CONFIG_DEF`; do not edit by hand ")
                .append("(`mvn -pl interceptors -am test -Dtest=BreakwaterConfigTest -Dsurefire.failIfNoSpecifiedTests=false ")
                .append("-Dbreakwater.docs.write=true`).\n\n")
                .append("| key | type | default | valid values | importance | description |\n")
                .append("|---|---|---|---|---|---|\n");
        for (ConfigDef.ConfigKey key : def.configKeys().values()) {
            Object value = key.defaultValue;
            String shown = value == null ? "" : value.toString().isEmpty() ? "\"\"" : value.toString();
            md.append("| `").append(key.name).append("` | ").append(key.type.name().toLowerCase(Locale.ROOT))
                    .append(" | `").append(shown).append("` | ")
                    .append(key.validator == null ? "" : key.validator.toString().replace("|", "\\|"))
                    .append(" | ").append(key.importance.name().toLowerCase(Locale.ROOT))
                    .append(" | ").append(key.documentation.replace("|", "\\|")).append(" |\n");
        }
        return md.toString();
    }
}
