package io.breakwater.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/** What the command line says of options out of range, blank or misplaced (no cluster needed, no stack traces). */
class CliOptionsTest {

    private static CliRun cli(String... args) {
        return CliRun.of(args);
    }

    @ParameterizedTest(name = "{0} {1} {2}")
    @CsvSource(delimiter = '|', value = {
        "status     | --interval      | 999999999999d | Invalid value for option '--interval': '999999999999d' is too long: durations go up to 365d",
        "demo       | --reset-timeout | 999999999999d | Invalid value for option '--reset-timeout': '999999999999d' is too long: durations go up to 365d",
        "demo       | --duration      | -999999999999d | Invalid value for option '--duration': '-999999999999d' is too long: durations go up to 365d",
        "force-open | --for           | 366d          | Invalid value for option '--for': '366d' is too long: durations go up to 365d",
        "status     | --timeout       | 0             | --timeout must be at least 1s, but was 0s",
        "status     | --interval      | 0             | --interval must be in [100ms, 1h], but was 0s",
        "status     | --timeout       | 11m           | --timeout must be at most 10m, but was 11m",
        "status     | --timeout       | 0s            | --timeout must be at least 1s, but was 0s",
        "status     | --timeout       | 500ms         | --timeout must be at least 1s, but was 500ms",
        "status     | --interval      | 2h            | --interval must be in [100ms, 1h], but was 2h",
        "demo       | --reset-timeout | 2h            | --reset-timeout must be in [100ms, 1h], but was 2h",
        "demo       | --reset-timeout | 50ms          | --reset-timeout must be in [100ms, 1h], but was 50ms",
        "demo       | --duration      | 25h           | --duration must be in (0, 24h], but was 25h"
    })
    void hugeZeroAndOutOfRangeDurationsAreRefusedInTheirOwnWords(String command, String option, String value,
            String message) {
        String[] args = command.equals("demo") ? new String[] {command, option, value}
                : command.equals("status") ? new String[] {command, "--bootstrap-server", "h:1", "--watch", option, value}
                : new String[] {command, "orders", "--bootstrap-server", "h:1", option, value};
        CliRun run = cli(args);
        assertThat(run.exitCode()).isEqualTo(2);
        assertThat(run.err()).contains(message).doesNotContain("Exception").doesNotContain("PT");
    }

    @Test
    void aMetricsPortInUseIsRefusedBeforeTheDemoStartsAnything() throws Exception {
        try (java.net.ServerSocket taken = new java.net.ServerSocket(0)) {
            CliRun run = cli("demo", "--metrics-port", Integer.toString(taken.getLocalPort()));
            assertThat(run.exitCode()).isEqualTo(2);
            assertThat(run.err()).contains("--metrics-port " + taken.getLocalPort() + " cannot be served on: ")
                    .contains("choose a free port, or 0 for any").doesNotContain("Exception");
            assertThat(run.out()).as("no broker started").doesNotContain("spills to");
        }
    }

    /** The default of four threads follows a lower rate: --rate 2 alone is no mistake. Given, --threads is checked. */
    @Test
    void aRateBelowTheDefaultThreadsTakesThatManyThreadsButAGivenThreadCountAboveTheRateIsRefused() throws Exception {
        try (java.net.ServerSocket taken = new java.net.ServerSocket(0)) {
            String port = Integer.toString(taken.getLocalPort());
            CliRun run = cli("demo", "--rate", "2", "--metrics-port", port);
            assertThat(run.exitCode()).isEqualTo(2);
            assertThat(run.err()).as("past the threads' check, up to the port's").contains("--metrics-port " + port)
                    .doesNotContain("--threads must");
            run = cli("demo", "--rate", "2", "--threads", "3", "--metrics-port", port);
            assertThat(run.exitCode()).isEqualTo(2);
            assertThat(run.err()).contains("--threads must be in [1, 64] and at most --rate, but was 3");
        }
    }

    @Test
    void anEmptyBootstrapServerIsRefusedByTheDemoAsByStatus() {
        for (String[] args : new String[][] {{"demo", "--bootstrap-server", ""}, {"status", "--bootstrap-server", " "}}) {
            CliRun run = cli(args);
            assertThat(run.exitCode()).as(String.join(" ", args)).isEqualTo(2);
            assertThat(run.err()).contains("--bootstrap-server must not be empty: give HOST:PORT").doesNotContain("Exception");
        }
    }

    @ParameterizedTest(name = "{0} {1}")
    @CsvSource(delimiter = '|', quoteCharacter = '"', value = {
        "demo       | nohost        | 'nohost' is not HOST:PORT (as in localhost:9092; several are separated by commas)",
        "status     | localhost:abc | 'localhost:abc' is not HOST:PORT",
        "force-open | h:1,g         | 'g' is not HOST:PORT",
        "status     | h:1,          | 'h:1,' has an empty entry: separate HOST:PORT entries by one comma, with none at either end",
        "disable    | h:1,,g:2      | 'h:1,,g:2' has an empty entry",
        "reset      | \" , \"       | ' , ' has an empty entry",
        "disable    | h:1 g:2       | 'h:1 g:2' is not HOST:PORT",
        "status     | [::1:9092     | '[::1:9092' is not HOST:PORT",
        "demo       | h:0           | the port of 'h:0' must be in [1, 65535]",
        "status     | h:70000       | the port of 'h:70000' must be in [1, 65535]",
        "reset      | h:123456      | the port of 'h:123456' must be in [1, 65535]",
        "status     | 2001:db8::1   | '2001:db8::1' has no port: put an IPv6 address in brackets and give its port, as in [2001:db8::1]:9092"
    })
    void aBootstrapServerThatIsNotHostPortIsRefusedWithTheUsage(String command, String value, String message) {
        String[] args = command.equals("demo") || command.equals("status") ? new String[] {command, "--bootstrap-server", value}
                : new String[] {command, "orders", "--bootstrap-server", value};
        CliRun run = cli(args);
        assertThat(run.exitCode()).as(String.join(" ", args)).isEqualTo(2);
        assertThat(run.err()).contains("--bootstrap-server: " + message).contains("Usage:").doesNotContain("Exception");
    }

    @Test
    void aPasswordPastedIntoTheBootstrapServerIsNotEchoed() {
        CliRun run = cli("status", "--bootstrap-server", "SASL_SSL://alice:hunt/er2@kafka:9093,h:1,");
        assertThat(run.exitCode()).isEqualTo(2);
        assertThat(run.err()).contains("--bootstrap-server: '****@kafka:9093' is not HOST:PORT").doesNotContain("hunt")
                .doesNotContain("alice");
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {"localhost:9092", "PLAINTEXT://h:1", "my-listener://h:1", "[::1]:9092", "::1:9092",
        "h-1.example.com:9093, g_2:1", "10.0.0.1:65535", "h:09092"})
    void whatKafkaTakesAsBootstrapServersTheCommandsTakeToo(String value) {
        CliRun run = cli("status", "--bootstrap-server", value, "--topic", "a b");
        assertThat(run.exitCode()).isEqualTo(2);
        assertThat(run.err()).as("judged past the address, at the topic").contains("--topic must be a Kafka topic name")
                .doesNotContain("--bootstrap-server:").doesNotContain("--bootstrap-server must");
    }

    @ParameterizedTest
    @ValueSource(strings = {"demo", "status", "force-open", "disable", "reset"})
    void everySubcommandPrintsTheVersionAsTheTopCommandDoes(String command) {
        CliRun run = cli(command, "-V");
        assertThat(run.exitCode()).isZero();
        assertThat(run.out().trim()).startsWith("breakwater ").isEqualTo(cli("-V").out().trim());
    }

    @Test
    void theHelpGivesTheRangeOfEveryOptionThatHasOne() {
        String demo = cli("demo", "--help").out().replaceAll("\\s+", " ");
        assertThat(demo).contains("--rate=N").contains("1 to 5000").contains("1 to 64, and at most --rate")
                .contains("up to 24h, and at least 20s").contains("0 to 65535").contains("--reset-timeout=DURATION")
                .contains("100ms to 1h");
        String status = cli("status", "--help").out().replaceAll("\\s+", " ");
        assertThat(status).contains("--interval=DURATION").contains("100ms to 1h").contains("--timeout=DURATION")
                .contains("1s to 10m").contains("--topic=TOPIC").doesNotContain("=<");
        assertThat(cli("force-open", "--help").out().replaceAll("\\s+", " ")).contains("1s to 10m").doesNotContain("=<");
    }

    @Test
    void resetRefusesForAndDoesNotOfferIt() {
        CliRun run = cli("reset", "orders", "--bootstrap-server", "h:1", "--for", "15m");
        assertThat(run.exitCode()).isEqualTo(2);
        assertThat(run.err()).contains("--for does not apply to reset");
        assertThat(cli("reset", "--help").out()).doesNotContain("--for");
        assertThat(cli("force-open", "--help").out()).contains("--for");
        assertThat(cli("disable", "--help").out()).contains("--for");
    }

    @Test
    void aBadStatusTopicIsRefusedLikeABadTopic() {
        CliRun run = cli("force-open", "orders", "--bootstrap-server", "h:1", "--status-topic", "a b");
        assertThat(run.exitCode()).isEqualTo(2);
        assertThat(run.err()).contains("--status-topic must be a Kafka topic name (1 to 249 of [a-zA-Z0-9._-], not '.' or "
                + "'..'), but was 'a b'");
    }

    @Test
    void aDirectoryAsCommandConfigIsNamedAsOne(@TempDir Path dir) {
        CliRun run = cli("status", "--bootstrap-server", "h:1", "--command-config", dir.toString());
        assertThat(run.exitCode()).isEqualTo(2);
        assertThat(run.err()).contains("--command-config: " + dir + " is a directory; give a properties file");
    }

    @Test
    void aMissingCommandConfigIsNamedAsMissing(@TempDir Path dir) {
        Path missing = dir.resolve("client.properties");
        CliRun run = cli("status", "--bootstrap-server", "h:1", "--command-config", missing.toString());
        assertThat(run.exitCode()).isEqualTo(2);
        assertThat(run.err()).contains("--command-config: " + missing + " does not exist; give a properties file");
    }

    @Test
    void commandConfigIsReadAsIso88591LikeKafkasTools(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("client.properties");
        Files.write(file, "# caf\u00e9\nsecurity.protocol=CARRIER_PIGEON\n".getBytes(StandardCharsets.ISO_8859_1));
        CliRun run = cli("status", "--bootstrap-server", "127.0.0.1:1", "--command-config", file.toString());
        assertThat(run.exitCode()).as("read, and refused by the client").isEqualTo(1);
        assertThat(run.err()).contains("--command-config").contains("CARRIER_PIGEON").doesNotContain("cannot read");
    }

    @Test
    void aBrokenJaasLineNamesCommandConfigNotTheBootstrapServer(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("client.properties");
        Files.writeString(file, "security.protocol=SASL_PLAINTEXT\nsasl.mechanism=PLAIN\nsasl.jaas.config="
                + "org.apache.kafka.common.security.plain.PlainLoginModule required username=\"u\" password=\"hunter2\"\n");
        CliRun run = cli("status", "--bootstrap-server", "127.0.0.1:1", "--command-config", file.toString());
        assertThat(run.exitCode()).isEqualTo(1);
        assertThat(run.err()).contains("Cannot create a Kafka client with the settings of --command-config")
                .doesNotContain("hunter2").doesNotContain("Cannot use bootstrap server");
    }

    /** Kafka's message about a JAAS line it cannot read quotes the word it stopped at: a part of the password here. */
    @Test
    void aJaasLineWithAQuoteInsideThePasswordPrintsNoPartOfIt(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("client.properties");
        Files.writeString(file, "security.protocol=SASL_PLAINTEXT\nsasl.mechanism=PLAIN\nsasl.jaas.config="
                + "org.apache.kafka.common.security.plain.PlainLoginModule required username=\"alice\" "
                + "password=\"Tr0ub\"ador-Horse\";\n");
        CliRun run = cli("status", "--bootstrap-server", "127.0.0.1:1", "--command-config", file.toString());
        assertThat(run.exitCode()).isEqualTo(1);
        assertThat(run.err()).contains("Cannot create a Kafka client with the settings of --command-config")
                .contains("****").doesNotContain("ador").doesNotContain("Tr0ub");
    }

    @Test
    void theFirstCheckWaitsTheGivenTimeout() {
        CliRun run = cli("status", "--bootstrap-server", "127.0.0.1:1", "--timeout", "1s");
        assertThat(run.exitCode()).isEqualTo(1);
        assertThat(run.err()).contains("Cannot reach Kafka at '127.0.0.1:1' within 1s: no broker answered");
    }

    @Test
    void withoutTimeoutTheFirstCheckWaitsEightSecondsNotTheDefaultTen() {
        CliRun run = cli("status", "--bootstrap-server", "127.0.0.1:1");
        assertThat(run.exitCode()).isEqualTo(1);
        assertThat(run.err()).contains("Cannot reach Kafka at '127.0.0.1:1' within 8s: no broker answered");
    }
}
