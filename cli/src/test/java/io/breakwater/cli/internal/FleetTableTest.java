package io.breakwater.cli.internal;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.breakwater.breaker.CircuitBreakerState;
import io.breakwater.status.FleetEntry;
import io.breakwater.status.InstanceEvent;
import io.breakwater.status.StatusEvent;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The fleet table as `breakwater status` prints it. */
class FleetTableTest {

    private static final Instant NOW = Instant.parse("2026-11-29T10:00:00Z");

    private static StatusEvent event(String instance, String breaker, CircuitBreakerState state, StatusEvent.Kind kind,
                                     Duration ago, String reason) {
        return new StatusEvent(StatusEvent.SCHEMA, kind, breaker, instance, state, state, NOW.minus(ago), NOW.minus(ago),
                reason, 0, 0, 5, 2, null, 3);
    }

    private static InstanceEvent heartbeat(String instance, Duration ago) {
        return new InstanceEvent(StatusEvent.SCHEMA, InstanceEvent.Kind.HEARTBEAT, instance, NOW.minus(ago),
                NOW.minusSeconds(3600), Duration.ofSeconds(30), 9);
    }

    private static List<FleetEntry> fleet() {
        return FleetEntry.of(List.of(
                event("trader-1", "orders", CircuitBreakerState.FORCED_OPEN, StatusEvent.Kind.TRANSITION, Duration.ofSeconds(12),
                        "cmd-0123456789ab: force-open by alice"),
                event("trader-2", "orders", CircuitBreakerState.CLOSED, StatusEvent.Kind.STARTED, Duration.ofMinutes(5), "started"),
                event("trader-3", "orders", CircuitBreakerState.OPEN, StatusEvent.Kind.TRANSITION, Duration.ofMinutes(4),
                        "5 consecutive failure(s)"),
                event("trader-4", "orders", CircuitBreakerState.CLOSED, StatusEvent.Kind.STOPPED, Duration.ofHours(3), "stopped")),
                Map.of("trader-1", heartbeat("trader-1", Duration.ofSeconds(2)), "trader-2", heartbeat("trader-2", Duration.ofSeconds(20)),
                        "trader-3", heartbeat("trader-3", Duration.ofSeconds(95))), NOW, true);
    }

    @Test
    void oneLinePerBreakerWithStateSinceLastSeenCountsAndReason() {
        List<String> lines = FleetTable.lines(fleet(), true, NOW, false);
        assertThat(lines.get(0)).startsWith("INSTANCE").contains("BREAKER", "STATE", "SINCE", "LAST SEEN", "FAIL/OK", "REASON");
        assertThat(lines.get(1)).matches("trader-1 +orders +FORCED_OPEN +12 s +2 s +5/2 +cmd-0123456789ab: force-open by alice");
        assertThat(lines.get(2)).matches("trader-2 +orders +CLOSED +5 m +20 s +5/2 +started");
        assertThat(lines.get(3)).as("no heartbeat for more than 3 intervals")
                .matches("trader-3 +orders +STALE +4 m +95 s +5/2 +no heartbeat for 95 s \\(every 30 s\\); last known OPEN: "
                        + "5 consecutive failure\\(s\\)");
        assertThat(lines.get(4)).matches("trader-4 +orders +STOPPED +3 h +3 h +5/2 +last state CLOSED");
        assertThat(lines).allSatisfy(l -> assertThat(l).doesNotContain("\u001b["));
    }

    @Test
    void statesAreInTheDemosColoursAndColumnsStayAligned() {
        List<String> plain = FleetTable.lines(fleet(), true, NOW, false);
        List<String> colored = FleetTable.lines(fleet(), true, NOW, true);
        assertThat(colored.get(1)).contains("\u001b[31mFORCED_OPEN ").contains("\u001b[0m");
        assertThat(colored.get(2)).contains("\u001b[32mCLOSED");
        assertThat(colored.get(1).replaceAll("\u001b\\[\\d+m", "")).isEqualTo(plain.get(1));
        assertThat(Ansi.state(CircuitBreakerState.HALF_OPEN, "HALF_OPEN", true)).isEqualTo("\u001b[33mHALF_OPEN\u001b[0m");
    }

    @Test
    void stoppedBreakersAreHiddenUnlessAllAndTheTableSaysHowMany() {
        List<String> lines = FleetTable.lines(fleet(), false, NOW, false);
        assertThat(lines).hasSize(5).noneMatch(l -> l.startsWith("trader-4"));
        assertThat(lines.get(4)).isEqualTo("(1 stopped breaker(s) not shown: --all shows them)");
    }

    /** Anyone who may write to the status topic chooses these texts: no escape sequence or line break reaches the terminal. */
    @Test
    void controlCharactersFromTheTopicAreShownAsQuestionMarks() {
        List<FleetEntry> forged = FleetEntry.of(List.of(event("trader-\u001b[2J1", "orders\u009b31m",
                CircuitBreakerState.CLOSED, StatusEvent.Kind.TRANSITION, Duration.ofSeconds(1),
                "fine\ntrader-9 orders CLOSED\u202e")), Map.of(), NOW, true);
        List<String> lines = FleetTable.lines(forged, true, NOW, false);
        assertThat(lines).hasSize(2);
        assertThat(lines.get(1)).startsWith("trader-?[2J1 ").contains("orders?31m").endsWith("fine?trader-9 orders CLOSED?");
        assertThat(FleetTable.printable("plain name-1.x")).isEqualTo("plain name-1.x");
    }

    @Test
    void anEmptyFleetSaysSo() {
        assertThat(FleetTable.lines(List.of(), false, NOW, false)).last().isEqualTo("(no breakers have published yet)");
    }

    @Test
    void jsonIsTheNewestEventPlusPresenceAndLastSeen() throws Exception {
        JsonNode json = new ObjectMapper().readTree(FleetTable.json(fleet()));
        assertThat(json).hasSize(4);
        assertThat(json.get(0).get("schema").asInt()).isEqualTo(2);
        assertThat(json.get(0).get("to").asText()).isEqualTo("FORCED_OPEN");
        assertThat(json.get(0).get("presence").asText()).isEqualTo("LIVE");
        assertThat(json.get(0).get("lastSeen").asText()).isEqualTo("2026-11-29T09:59:58Z");
        assertThat(json.get(2).get("presence").asText()).isEqualTo("STALE");
        assertThat(json.get(3).get("presence").asText()).isEqualTo("STOPPED");
    }
}
