package io.breakwater.testkit;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.security.auth.login.AppConfigurationEntry;
import org.apache.kafka.common.config.types.Password;
import org.apache.kafka.common.security.JaasContext;
import org.apache.kafka.common.security.scram.internals.ScramFormatter;
import org.apache.kafka.common.security.scram.internals.ScramMechanism;
import org.junit.jupiter.api.Test;

/** Passwords of any characters: salted as Kafka's SCRAM salts them, and carried whole through sasl.jaas.config. */
class ScramCredentialTest {

    // The characters that trip a formatter argument (, = [ ] "), JAAS (" \ ' ; / line breaks), URLs and shells.
    private static final List<String> ODD = List.of("p%@ss w0rd\"'\\\\", "a,b=c[d]\"e\"", "\"quoted\"", "back\\slash\\",
            "semi;colon // not a comment /* nor this */", "two\nlines\r\n", "ünïcødé ✓", "x");

    @Test
    void theSaltedPasswordIsTheOneKafkasScramComputes() throws Exception {
        ScramFormatter kafka = new ScramFormatter(ScramMechanism.SCRAM_SHA_512);
        byte[] salt = "a salt of sixteen".getBytes(StandardCharsets.US_ASCII);
        for (String password : ODD) {
            assertThat(ScramCredential.saltedPassword(password, salt, 4096)).as(password)
                    .isEqualTo(kafka.saltedPassword(password, salt, 4096));
        }
    }

    @Test
    void theFormatterArgumentCarriesNoPasswordAndNoCharacterTheFormatterSplitsAt() {
        String argument = ScramCredential.formatterArgument("SCRAM-SHA-512", "app", "a,b=c[d]\"e\"");
        Matcher m = Pattern.compile("SCRAM-SHA-512=\\[name=\"app\",salt=\"([A-Za-z0-9+/=]+)\",saltedpassword=\"([A-Za-z0-9+/=]+)\","
                + "iterations=4096]").matcher(argument);
        assertThat(m.matches()).as(argument).isTrue();
        assertThat(ScramCredential.saltedPassword("a,b=c[d]\"e\"", Base64.getDecoder().decode(m.group(1)), 4096))
                .isEqualTo(Base64.getDecoder().decode(m.group(2)));
        assertThat(ScramCredential.formatterArgument("SCRAM-SHA-512", "app", "x")).as("a fresh salt each time")
                .isNotEqualTo(ScramCredential.formatterArgument("SCRAM-SHA-512", "app", "x"));
    }

    @Test
    void kafkaReadsEveryPasswordBackFromTheJaasConfig() {
        for (String password : ODD) {
            JaasContext context = JaasContext.loadClientContext(Map.of("sasl.jaas.config",
                    new Password(ScramCredential.jaasConfig("app", password))));
            AppConfigurationEntry entry = context.configurationEntries().get(0);
            assertThat(entry.getOptions().get("username")).isEqualTo("app");
            assertThat(entry.getOptions().get("password")).as(password).isEqualTo(password);
        }
    }
}
