package io.breakwater.status;

import static org.assertj.core.api.Assertions.assertThat;

import org.apache.kafka.common.config.types.Password;
import org.junit.jupiter.api.Test;

/** The user name and secrets of sasl.jaas.config are what Kafka's own parser reads, whatever the text's tricks. */
class JaasOptionsTest {

    private static final String SCRAM = "org.apache.kafka.common.security.scram.ScramLoginModule required ";

    @Test
    void aSingleQuotedPasswordThatSpellsAUserNameIsThePasswordNotTheUser() {
        JaasOptions options = JaasOptions.of(SCRAM + "password='pw username=LEAKED-PART' username='alice';");
        assertThat(options.user()).isEqualTo("alice");
        assertThat(options.get("password")).isEqualTo("pw username=LEAKED-PART");
        assertThat(options.secretValues()).containsExactly("pw username=LEAKED-PART");
        assertThat(JaasOptions.of(SCRAM + "password='username=\"X\"' username=\"bob\";").user()).isEqualTo("bob");
        assertThat(JaasOptions.of(SCRAM + "password=\"username='X'\";").user()).isNull();
    }

    @Test
    void bareWordsAndBothQuotesAreRead() {
        assertThat(JaasOptions.of(SCRAM + "username=alice password=x;").user()).isEqualTo("alice");
        assertThat(JaasOptions.of(SCRAM + "username=\"alice\" password=\"x\";").user()).isEqualTo("alice");
        assertThat(JaasOptions.of(SCRAM + "username='alice' password='x';").user()).isEqualTo("alice");
    }

    @Test
    void escapesAreReadAsKafkaReadsThem() {
        JaasOptions options = JaasOptions.of(SCRAM + "username=\"a\\\"b\" password=\"p\\\\w\\nd\";");
        assertThat(options.user()).isEqualTo("a\"b");
        assertThat(options.get("password")).isEqualTo("p\\w\nd");
    }

    @Test
    void ofTwoEqualOptionsTheLastCountsAsInKafka() {
        assertThat(JaasOptions.of(SCRAM + "username=\"first\" password=\"x\" username=\"last\";").user()).isEqualTo("last");
    }

    @Test
    void commentsAreNotOptions() {
        assertThat(JaasOptions.of(SCRAM + "/* username=\"in-comment\" */ username=\"real\" password=\"x\"; // username=\"after\"")
                .user()).isEqualTo("real");
        assertThat(JaasOptions.of(SCRAM + "// username=\"in-comment\"\n password=\"x\";").user()).isNull();
    }

    @Test
    void oddWhitespaceIsWhitespace() {
        assertThat(JaasOptions.of("org.apache.kafka.common.security.plain.PlainLoginModule\n\trequired\r\n  username\t=\t\"ops\"\n"
                + "  password =\n'x'\n;").user()).isEqualTo("ops");
    }

    @Test
    void theUserOfEachMechanism() {
        assertThat(JaasOptions.of("org.apache.kafka.common.security.oauthbearer.OAuthBearerLoginModule required "
                + "clientId=\"svc-orders\" clientSecret=\"s3cr3t\";").user()).isEqualTo("svc-orders");
        assertThat(JaasOptions.of("com.sun.security.auth.module.Krb5LoginModule required useKeyTab=true "
                + "keyTab=\"/etc/app.keytab\" principal=\"app@EXAMPLE.COM\";").user()).isEqualTo("app@EXAMPLE.COM");
        assertThat(JaasOptions.of(new Password(SCRAM + "username=\"from-password\";")).user()).isEqualTo("from-password");
        assertThat(JaasOptions.of(SCRAM + "username=\"  \" clientId=\"c\";").user()).as("a blank user name is none").isEqualTo("c");
    }

    @Test
    void textKafkaCannotReadGivesNoOptionsAndNoException() {
        for (String text : new String[] {SCRAM + "username=\"never closed", SCRAM + "username=\"u\" password=\"p\"",
                "garbage \"\\", SCRAM + "username=\"a\"; " + SCRAM + "username=\"b\";", SCRAM + "username=;", "", "  "}) {
            JaasOptions options = JaasOptions.of(text);
            assertThat(options.user()).as(text).isNull();
        }
        assertThat(JaasOptions.of(null).user()).isNull();
        assertThat(JaasOptions.of(null).secretValues()).isEmpty();
        assertThat(JaasOptions.of(" ").secretValues()).isEmpty();
    }

    /**
     * Which word of a line Kafka cannot read is a password cannot be told, and Kafka's message may quote one: each of
     * three characters or more counts as a secret, but the login module and its flag.
     */
    @Test
    void everyWordOfTextKafkaCannotReadButItsModuleAndFlagIsASecret() {
        assertThat(JaasOptions.of(SCRAM + "username=\"never closed").secretValues())
                .containsExactly("username", "never", "closed");
        assertThat(JaasOptions.of(SCRAM + "username=\"alice\" password=\"Tr0ub\"ador-Horse\";").secretValues())
                .containsExactly("username", "alice", "password", "Tr0ub", "ador-Horse");
        assertThat(JaasOptions.of(SCRAM + "username=\"u\" password=\"p\"").secretValues()).as("shorter words are left")
                .containsExactly("username", "password");
        assertThat(JaasOptions.of(SCRAM + "username=\"u\" password=\"hunter2\";").secretValues()).as("a line Kafka reads")
                .containsExactly("hunter2");
    }

    @Test
    void itsTextShowsOptionNamesOnly() {
        assertThat(JaasOptions.of(SCRAM + "username=\"u\" password=\"hunter2\";")).hasToString("JaasOptions[password, username]");
    }
}
