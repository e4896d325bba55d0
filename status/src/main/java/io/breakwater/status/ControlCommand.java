package io.breakwater.status;

import io.breakwater.breaker.CircuitBreakerState;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Collection;
import java.util.Comparator;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;
import java.util.UUID;

/**
 * An operator's command to the breakers of a fleet, as it goes to the compacted control topic (default
 * {@value ControlTopic#DEFAULT_TOPIC}): force a breaker open, disable it or reset it, on every instance
 * ({@code instance} null, key {@code {breaker}}) or on one ({@code {instance}/{breaker}}). Immutable.
 *
 * <p><b>Which command holds.</b> A breaker of instance {@code I} named {@code B} follows the commands keyed
 * {@code B} and {@code I/B}: of those not expired, the one issued last; at the same instant, the one for {@code I}
 * alone. With none in force, the breaker runs on its own. The compacted topic keeps the newest command per key, so a
 * new command for the same key replaces the old one.
 *
 * @param schema    the JSON layout version, {@value #SCHEMA}
 * @param id        unique, such as {@code cmd-1f2e3d4c5b6a}; the reason of the transitions it causes starts with it
 * @param action    what to do
 * @param breaker   the breaker's name
 * @param instance  the one instance it is for, or null for every instance
 * @param by        who issued it
 * @param issuedAt  when
 * @param expiresAt when it stops holding (the breaker then runs on its own again), or null for never
 */
public record ControlCommand(int schema, String id, Action action, String breaker, String instance, String by,
                             Instant issuedAt, Instant expiresAt) {

    /** The current JSON layout version. */
    public static final int SCHEMA = 1;

    /** What a command does to a breaker. */
    public enum Action {
        /** {@code forceOpen}: every call is refused. */
        FORCE_OPEN(CircuitBreakerState.FORCED_OPEN),
        /** {@code disable}: every call is admitted and nothing is counted. */
        DISABLE(CircuitBreakerState.DISABLED),
        /** {@code reset}: back to CLOSED with empty counts, to run on its own. */
        RESET(CircuitBreakerState.CLOSED);

        private final CircuitBreakerState target;

        Action(CircuitBreakerState target) {
            this.target = target;
        }

        /** The state the action puts a breaker in. */
        public CircuitBreakerState target() {
            return target;
        }

        /** As written on the command line and in JSON: {@code force-open}, {@code disable}, {@code reset}. */
        public String label() {
            return name().toLowerCase(Locale.ROOT).replace('_', '-');
        }

        /** The action called {@code label}. */
        public static Action ofLabel(String label) {
            for (Action a : values()) {
                if (a.label().equals(label)) {
                    return a;
                }
            }
            throw new IllegalArgumentException("action must be force-open, disable or reset, but was '" + label + "'");
        }
    }

    /** Latest issued first; at the same instant, a command for one instance before one for all; then by id. */
    private static final Comparator<ControlCommand> PRECEDENCE = Comparator.comparing(ControlCommand::issuedAt)
            .thenComparing(c -> c.instance() != null).thenComparing(ControlCommand::id);

    public ControlCommand {
        if (schema != SCHEMA) {
            throw new IllegalArgumentException("schema must be " + SCHEMA + ", but was " + schema);
        }
        Objects.requireNonNull(id, "id");
        if (!id.matches("[A-Za-z0-9._-]{1,64}")) {
            throw new IllegalArgumentException("id must be 1 to 64 of [A-Za-z0-9._-], but was '" + id + "'");
        }
        Objects.requireNonNull(action, "action");
        name("breaker", breaker, 300);
        if (instance != null) {
            name("instance", instance, 300);
        }
        for (String[] field : new String[][] {{"breaker", breaker}, {"instance", instance}}) {
            if (field[1] != null && field[1].indexOf('/') >= 0) {
                throw new IllegalArgumentException(field[0] + " must not contain '/' (it separates the instance from "
                        + "the breaker in the control topic's keys), but was '" + field[1] + "'");
            }
        }
        name("by", by, 200);
        Objects.requireNonNull(issuedAt, "issuedAt");
        if (expiresAt != null && !expiresAt.isAfter(issuedAt)) {
            throw new IllegalArgumentException("expiresAt must be after issuedAt (" + issuedAt + "), but was " + expiresAt);
        }
    }

    private static void name(String field, String value, int max) {
        Objects.requireNonNull(value, field);
        if (value.isBlank() || value.length() > max || value.chars().anyMatch(Character::isISOControl)) {
            throw new IllegalArgumentException(field + " must be 1 to " + max + " characters, not blank and without "
                    + "control characters, but was '" + value.replaceAll("\\p{Cntrl}", "?") + "'");
        }
    }

    /**
     * A new command with a fresh id, issued at {@code now} (to the millisecond): {@code action} on {@code breaker} of {@code instance}
     * (null: every instance), by {@code by}, holding for {@code lasting} (null: until replaced).
     *
     * @throws IllegalArgumentException for a blank name, a name with control characters, or a duration that is not
     *         positive
     */
    public static ControlCommand issue(Action action, String breaker, String instance, String by, Duration lasting,
                                       Instant now) {
        Objects.requireNonNull(now, "now");
        if (lasting != null && (lasting.isNegative() || lasting.isZero())) {
            throw new IllegalArgumentException("the command's duration must be positive, but was " + lasting);
        }
        String id = "cmd-" + UUID.randomUUID().toString().replace("-", "").substring(0, 12);
        Instant issued = now.truncatedTo(ChronoUnit.MILLIS); // as precise as the order of commands needs, and readable
        return new ControlCommand(SCHEMA, id, action, breaker, instance, by, issued,
                lasting == null ? null : issued.plus(lasting));
    }

    /** The record key: {@code {breaker}} for every instance, {@code {instance}/{breaker}} for one. */
    public String key() {
        return instance == null ? breaker : StatusEvent.key(instance, breaker);
    }

    /** Whether it holds at {@code now}: not expired. */
    public boolean isActiveAt(Instant now) {
        return expiresAt == null || now.isBefore(expiresAt);
    }

    /** Whether it is for {@code breaker} of {@code instance}. */
    public boolean appliesTo(String instance, String breaker) {
        return this.breaker.equals(breaker) && (this.instance == null || this.instance.equals(instance));
    }

    /** The reason of the transitions it causes: {@code "<id>: force-open by <by>[ until <expiresAt>]"}. */
    public String reason() {
        return id + ": " + action.label() + " by " + by + (expiresAt == null ? "" : " until " + expiresAt);
    }

    /** The command that holds for {@code breaker} of {@code instance} at {@code now}, of {@code commands}. */
    public static Optional<ControlCommand> effective(Collection<ControlCommand> commands, String instance, String breaker,
                                                     Instant now) {
        Objects.requireNonNull(now, "now");
        return commands.stream().filter(c -> c != null && c.appliesTo(instance, breaker) && c.isActiveAt(now))
                .max(PRECEDENCE);
    }

    /** The command issued last for {@code breaker} of {@code instance}, expired or not. */
    public static Optional<ControlCommand> latest(Collection<ControlCommand> commands, String instance, String breaker) {
        return commands.stream().filter(c -> c != null && c.appliesTo(instance, breaker)).max(PRECEDENCE);
    }
}
