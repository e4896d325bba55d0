package io.breakwater.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.breakwater.status.ControlCommand;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/** The fleet-wide switch's command line: what it makes of good options, and what it says of bad ones (no cluster needed). */
class SwitchCommandTest {

    private static final Instant NOW = Instant.parse("2026-11-29T10:00:00Z");

    private static CliRun cli(String... args) {
        return CliRun.of(args);
    }

    private static ControlCommand parse(String... args) {
        CommandLine.ParseResult parsed = Main.commandLine().parseArgs(args);
        SwitchCommand command = (SwitchCommand) parsed.subcommand().commandSpec().userObject();
        return command.command(NOW);
    }

    @Test
    void forceOpenForOneInstanceForAWhile() {
        ControlCommand c = parse("force-open", "orders-producer", "--bootstrap-server", "localhost:9092",
                "--instance", "trader-7", "--by", "alice", "--for", "15m");
        assertThat(c.action()).isEqualTo(ControlCommand.Action.FORCE_OPEN);
        assertThat(c.breaker()).isEqualTo("orders-producer");
        assertThat(c.instance()).isEqualTo("trader-7");
        assertThat(c.by()).isEqualTo("alice");
        assertThat(c.issuedAt()).isEqualTo(NOW);
        assertThat(c.expiresAt()).isEqualTo(NOW.plus(Duration.ofMinutes(15)));
        assertThat(c.key()).isEqualTo("trader-7/orders-producer");
    }

    @Test
    void disableAndResetOnEveryInstanceUntilReplaced() {
        ControlCommand disable = parse("disable", "orders", "--bootstrap-server", "h:9092", "--by", "bob");
        assertThat(disable.action()).isEqualTo(ControlCommand.Action.DISABLE);
        assertThat(disable.instance()).as("every instance").isNull();
        assertThat(disable.expiresAt()).as("until replaced").isNull();
        assertThat(parse("reset", "orders", "--bootstrap-server", "h:9092").action())
                .isEqualTo(ControlCommand.Action.RESET);
        assertThat(parse("reset", "orders", "--bootstrap-server", "h:9092").by()).as("the user's name by default")
                .isEqualTo(System.getProperty("user.name"));
    }

    @ParameterizedTest(name = "--for {0}")
    @CsvSource(delimiter = '|', value = {
        "0      | --for must be a duration in (0, 30d], such as 15m, but was 0s",
        "abc    | Invalid value for option '--for': 'abc' is not a duration: use a number and a unit, as in 30s, 15m, 500ms, 1h or 2d",
        "15     | Invalid value for option '--for': '15' is not a duration",
        "-5m    | --for must be a duration in (0, 30d], such as 15m, but was -5m",
        "0s     | --for must be a duration in (0, 30d], such as 15m, but was 0s",
        "31d    | --for must be a duration in (0, 30d], such as 15m, but was 31d"
    })
    void aBadForIsRefusedSayingWhy(String value, String message) {
        CliRun run = cli("force-open", "orders", "--bootstrap-server", "127.0.0.1:1", "--for", value);
        assertThat(run.exitCode()).isEqualTo(2);
        assertThat(run.err()).contains(message).contains("Usage: breakwater force-open");
        assertThat(run.out()).isEmpty();
    }

    @Test
    void forTakesItsValueInTheEqualsFormToo() {
        CliRun run = cli("disable", "orders", "--bootstrap-server", "127.0.0.1:1", "--for=-5m");
        assertThat(run.exitCode()).isEqualTo(2);
        assertThat(run.err()).contains("--for must be a duration in (0, 30d], such as 15m, but was -5m");
    }

    @Test
    void aMissingNameIsNamed() {
        CliRun run = cli("force-open", "--bootstrap-server", "127.0.0.1:1");
        assertThat(run.exitCode()).isEqualTo(2);
        assertThat(run.err()).contains("Missing required parameter: 'NAME'").contains("Usage: breakwater force-open");
    }

    @Test
    void badNamesAndOptionsAreRefusedSayingWhy() {
        assertThat(cli("reset", " ", "--bootstrap-server", "h:1").err())
                .contains("NAME must be 1 to 300 characters, not blank and without control characters, but was ' '");
        assertThat(cli("reset", "orders", "--bootstrap-server", "h:1", "--instance", "").err())
                .contains("--instance must be 1 to 300 characters, not blank and without control characters, but was ''");
        assertThat(cli("reset", "orders", "--bootstrap-server", "h:1", "--by", "").err())
                .contains("--by must not be blank: give who issues the command").doesNotContain("no user name");
        assertThat(cli("reset", "orders", "--bootstrap-server", "").err())
                .contains("--bootstrap-server must not be empty: give HOST:PORT");
        assertThat(cli("reset", "orders", "--bootstrap-server", "h:1", "--topic", "bad topic").err())
                .contains("--topic must be a Kafka topic name");
        assertThat(cli("reset", "orders", "--bootstrap-server", "h:1", "--timeout", "500ms").err())
                .contains("--timeout must be at least 1s, but was 500ms");
        assertThat(cli("reset", "orders", "--bootstrap-server", "h:1", "--timeout", "11m").err())
                .contains("--timeout must be at most 10m, but was 11m");
        CliRun missing = cli("disable", "orders");
        assertThat(missing.exitCode()).isEqualTo(2);
        assertThat(missing.err()).contains("Missing required option: '--bootstrap-server=HOST:PORT'");
    }

    @Test
    void commandConfigCarriesTheClientSettingsOfASecuredCluster(@org.junit.jupiter.api.io.TempDir java.nio.file.Path dir)
            throws Exception {
        CliRun missing = cli("force-open", "orders", "--bootstrap-server", "127.0.0.1:1", "--command-config",
                dir.resolve("nope.properties").toString());
        assertThat(missing.exitCode()).isEqualTo(2);
        assertThat(missing.err()).contains("--command-config: " + dir.resolve("nope.properties") + " does not exist");
        java.nio.file.Path file = dir.resolve("client.properties");
        java.nio.file.Files.writeString(file, "security.protocol=CARRIER_PIGEON\nsasl.jaas.config=secret-value\n");
        CliRun used = cli("disable", "orders", "--bootstrap-server", "127.0.0.1:1", "--command-config", file.toString());
        assertThat(used.exitCode()).as("the file's settings reach the client, which refuses them").isEqualTo(1);
        assertThat(used.err()).contains("Cannot create a Kafka client with the settings of --command-config")
                .contains("CARRIER_PIGEON").doesNotContain("secret-value").doesNotContain("bootstrap server");
    }

    @Test
    void noCommandListsThemAll() {
        CliRun run = cli();
        assertThat(run.exitCode()).isEqualTo(2);
        assertThat(run.err()).contains("Missing command: demo, status, force-open, disable or reset");
    }

    @Test
    void statusRefusesWatchWithJsonOrFollowAndABadInterval() {
        assertThat(cli("status", "--bootstrap-server", "h:1", "--watch", "--json").err())
                .contains("--watch shows the table: it cannot be combined with --follow or --json");
        assertThat(cli("status", "--bootstrap-server", "h:1", "--watch", "--interval", "50ms").err())
                .contains("--interval must be in [100ms, 1h], but was 50ms");
    }

    @Test
    void aBreakerOrInstanceTheStatusTopicNeverSawIsWarnedOf() {
        java.util.Set<String> keys = java.util.Set.of("trader-1/orders", "trader-2/orders", "trader-2/payments");
        assertThat(SwitchCommand.unseen(keys, "orders", null, "st")).isEmpty();
        assertThat(SwitchCommand.unseen(keys, "payments", "trader-2", "st")).isEmpty();
        assertThat(SwitchCommand.unseen(keys, "ordres", null, "st")).contains(
                "no instance has reported breaker 'ordres' on st (a typo?); the command stands and applies if it comes");
        assertThat(SwitchCommand.unseen(keys, "payments", "trader-1", "st")).contains(
                "no instance 'trader-1' has reported breaker 'payments' on st (a typo?); the command stands and applies if it comes");
        assertThat(SwitchCommand.unseen(keys, "orders", "trader-9", "st")).contains(
                "instance 'trader-9' has never reported on st (a typo?); the command stands and applies if it comes");
    }
}
