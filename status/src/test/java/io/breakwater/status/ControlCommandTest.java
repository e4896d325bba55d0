package io.breakwater.status;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.breakwater.status.ControlCommand.Action;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Which command holds, what a command may be, and its JSON. */
class ControlCommandTest {

    private static final Instant T0 = Instant.parse("2026-11-29T10:00:00Z");

    private static ControlCommand command(String id, Action action, String instance, Instant issuedAt, Duration lasting) {
        return new ControlCommand(ControlCommand.SCHEMA, id, action, "orders", instance, "alice", issuedAt,
                lasting == null ? null : issuedAt.plus(lasting));
    }

    @Test
    void theLatestIssuedWinsWhateverItsScope() {
        ControlCommand all = command("all", Action.FORCE_OPEN, null, T0, null);
        ControlCommand mine = command("mine", Action.RESET, "a", T0.plusSeconds(1), null);
        ControlCommand allAgain = command("all-again", Action.DISABLE, null, T0.plusSeconds(2), null);

        assertThat(ControlCommand.effective(List.of(all, mine), "a", "orders", T0.plusSeconds(5))).hasValue(mine);
        assertThat(ControlCommand.effective(List.of(mine, allAgain), "a", "orders", T0.plusSeconds(5))).hasValue(allAgain);
    }

    @Test
    void atTheSameInstantTheCommandForOneInstanceWins() {
        ControlCommand all = command("zzz", Action.FORCE_OPEN, null, T0, null);
        ControlCommand mine = command("aaa", Action.DISABLE, "a", T0, null);
        assertThat(ControlCommand.effective(List.of(all, mine), "a", "orders", T0)).hasValue(mine);
        assertThat(ControlCommand.effective(List.of(mine, all), "a", "orders", T0)).hasValue(mine);
    }

    @Test
    void aCommandForAnotherInstanceOrBreakerDoesNotApply() {
        ControlCommand forB = command("b", Action.FORCE_OPEN, "b", T0, null);
        assertThat(ControlCommand.effective(List.of(forB), "a", "orders", T0)).isEmpty();
        assertThat(ControlCommand.effective(List.of(command("x", Action.FORCE_OPEN, null, T0, null)), "a", "payments", T0))
                .isEmpty();
    }

    @Test
    void anExpiredCommandNoLongerHoldsAndAnOlderOneStillInForceDoes() {
        ControlCommand all = command("all", Action.FORCE_OPEN, null, T0, null);
        ControlCommand mine = command("mine", Action.DISABLE, "a", T0.plusSeconds(1), Duration.ofMinutes(15));

        assertThat(ControlCommand.effective(List.of(all, mine), "a", "orders", mine.expiresAt().minusMillis(1)))
                .hasValue(mine);
        assertThat(ControlCommand.effective(List.of(all, mine), "a", "orders", mine.expiresAt()))
                .as("expiresAt is the first instant it no longer holds").hasValue(all);
        assertThat(ControlCommand.effective(List.of(mine), "a", "orders", T0.plus(Duration.ofMinutes(16)))).isEmpty();
        assertThat(ControlCommand.latest(List.of(all, mine), "a", "orders")).as("expired or not").hasValue(mine);
        assertThat(ControlCommand.effective(java.util.Arrays.asList(null, mine), "a", "orders", T0.plusSeconds(2)))
                .as("a key with no command").hasValue(mine);
    }

    @Test
    void keysAreTheBreakerOrTheInstanceAndTheBreaker() {
        assertThat(command("c", Action.FORCE_OPEN, null, T0, null).key()).isEqualTo("orders");
        assertThat(command("c", Action.FORCE_OPEN, "trader-7", T0, null).key()).isEqualTo("trader-7/orders");
    }

    @Test
    void anIssuedCommandHasAFreshIdAndItsReasonSaysWhoAndUntilWhen() {
        ControlCommand c = ControlCommand.issue(Action.FORCE_OPEN, "orders", null, "alice", Duration.ofMinutes(15), T0);
        assertThat(c.id()).matches("cmd-[0-9a-f]{12}");
        assertThat(ControlCommand.issue(Action.FORCE_OPEN, "orders", null, "alice", null, T0).id()).isNotEqualTo(c.id());
        assertThat(c.expiresAt()).isEqualTo(T0.plus(Duration.ofMinutes(15)));
        assertThat(c.reason()).isEqualTo(c.id() + ": force-open by alice until 2026-11-29T10:15:00Z");
        assertThat(ControlCommand.issue(Action.RESET, "orders", "a", "bob", null, T0).reason()).endsWith(": reset by bob");
        assertThat(ControlCommand.issue(Action.RESET, "orders", null, "bob", Duration.ofMinutes(1), T0.plusNanos(1_234_567)))
                .as("to the millisecond").satisfies(r -> assertThat(r.issuedAt()).isEqualTo(T0.plusMillis(1)))
                .satisfies(r -> assertThat(r.expiresAt()).isEqualTo(Instant.parse("2026-11-29T10:01:00.001Z")));
    }

    @Test
    void badCommandsAreRefusedNamingWhatIsWrong() {
        assertThatThrownBy(() -> ControlCommand.issue(Action.DISABLE, "orders", null, "alice", Duration.ZERO, T0))
                .isInstanceOf(IllegalArgumentException.class).hasMessage("the command's duration must be positive, but was PT0S");
        assertThatThrownBy(() -> ControlCommand.issue(Action.DISABLE, "orders", null, "alice", Duration.ofMinutes(-5), T0))
                .hasMessage("the command's duration must be positive, but was PT-5M");
        assertThatThrownBy(() -> ControlCommand.issue(Action.DISABLE, " ", null, "alice", null, T0))
                .hasMessage("breaker must be 1 to 300 characters, not blank and without control characters, but was ' '");
        assertThatThrownBy(() -> ControlCommand.issue(Action.DISABLE, "orders", "", "alice", null, T0))
                .hasMessageStartingWith("instance must be 1 to 300 characters");
        assertThatThrownBy(() -> ControlCommand.issue(Action.DISABLE, "orders", null, "al\nice", null, T0))
                .hasMessage("by must be 1 to 200 characters, not blank and without control characters, but was 'al?ice'");
        assertThatThrownBy(() -> ControlCommand.issue(null, "orders", null, "alice", null, T0))
                .isInstanceOf(NullPointerException.class).hasMessage("action");
        assertThatThrownBy(() -> new ControlCommand(1, "no spaces", Action.RESET, "o", null, "a", T0, null))
                .hasMessage("id must be 1 to 64 of [A-Za-z0-9._-], but was 'no spaces'");
        assertThatThrownBy(() -> new ControlCommand(1, "c", Action.RESET, "o", null, "a", T0, T0))
                .hasMessage("expiresAt must be after issuedAt (2026-11-29T10:00:00Z), but was 2026-11-29T10:00:00Z");
        assertThatThrownBy(() -> ControlCommand.issue(Action.DISABLE, "a/orders", null, "alice", null, T0))
                .hasMessage("breaker must not contain '/' (it separates the instance from the breaker in the control "
                        + "topic's keys), but was 'a/orders'");
        assertThatThrownBy(() -> ControlCommand.issue(Action.DISABLE, "orders", "trader/7", "alice", null, T0))
                .hasMessageStartingWith("instance must not contain '/'");
        assertThatThrownBy(() -> Action.ofLabel("close")).hasMessage("action must be force-open, disable or reset, but was 'close'");
    }

    @Test
    void roundTripsAndWritesTheDocumentedJson() throws Exception {
        for (ControlCommand c : List.of(command("c1", Action.FORCE_OPEN, null, T0, Duration.ofMinutes(15)),
                command("c2", Action.RESET, "trader-7", T0, null))) {
            assertThat(ControlCommandCodec.decode(ControlCommandCodec.encode(c))).isEqualTo(c);
        }
        JsonNode json = new ObjectMapper().readTree(ControlCommandCodec.encode(command("c1", Action.DISABLE, null, T0, null)));
        assertThat(json.get("action").asText()).isEqualTo("disable");
        assertThat(json.get("instance").isNull()).isTrue();
        JsonNode schema;
        try (InputStream in = ControlCommand.class.getResourceAsStream("control-command.schema.json")) {
            schema = new ObjectMapper().readTree(in);
        }
        List<String> fields = new ArrayList<>();
        json.fieldNames().forEachRemaining(fields::add);
        List<String> required = new ArrayList<>();
        schema.get("required").forEach(n -> required.add(n.asText()));
        List<String> documented = new ArrayList<>();
        schema.get("properties").fieldNames().forEachRemaining(documented::add);
        assertThat(fields).containsExactlyElementsOf(required).containsExactlyElementsOf(documented);
    }

    @ParameterizedTest
    @ValueSource(strings = {
        "nope",
        "{\"schema\":2}",
        "{\"schema\":1,\"id\":\"c\",\"action\":\"explode\",\"breaker\":\"o\",\"instance\":null,\"by\":\"a\","
                + "\"issuedAt\":\"2026-11-29T10:00:00Z\",\"expiresAt\":null}",
        "{\"schema\":1,\"id\":\"c\",\"action\":\"reset\",\"breaker\":\"\",\"instance\":null,\"by\":\"a\","
                + "\"issuedAt\":\"2026-11-29T10:00:00Z\",\"expiresAt\":null}",
        "{\"schema\":1,\"id\":\"c\",\"action\":\"reset\",\"breaker\":\"o\",\"instance\":null,\"by\":\"a\","
                + "\"issuedAt\":\"2026-11-29T10:00:00Z\",\"expiresAt\":\"2026-11-29T09:00:00Z\"}"
    })
    void refusesGarbageSayingWhatIsWrong(String garbage) {
        assertThatThrownBy(() -> ControlCommandCodec.decode(garbage.getBytes(StandardCharsets.UTF_8)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageStartingWith("malformed control command: ");
    }
}
