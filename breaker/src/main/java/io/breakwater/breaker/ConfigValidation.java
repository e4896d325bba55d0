package io.breakwater.breaker;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/** The rules of {@link CircuitBreakerConfig}: every broken rule is reported at once, by field. */
final class ConfigValidation {

    // Room for "eventbus-" and the longest topic name Kafka allows (249).
    static final int MAX_NAME_LENGTH = 300;

    private final List<String> problems = new ArrayList<>();

    private ConfigValidation() {
    }

    static void check(CircuitBreakerConfigBuilder b) {
        ConfigValidation v = new ConfigValidation();
        v.checkName(b.name);
        v.atLeast("failureThreshold", b.failureThreshold, 1);
        v.atLeast("successThreshold", b.successThreshold, 1);
        if (b.halfOpenMaxCalls < 1 || b.halfOpenMaxCalls > CircuitBreakerConfig.MAX_HALF_OPEN_CALLS) {
            v.problem("halfOpenMaxCalls must be in [1, " + CircuitBreakerConfig.MAX_HALF_OPEN_CALLS + "], but was "
                    + b.halfOpenMaxCalls);
        }
        if (b.successThreshold > b.halfOpenMaxCalls && b.halfOpenMaxCalls >= 1) {
            v.problem("successThreshold must be <= halfOpenMaxCalls (" + b.halfOpenMaxCalls
                    + "), or HALF_OPEN could never close, but was " + b.successThreshold);
        }
        v.positive("resetTimeout", b.resetTimeout);
        if (b.timeoutSecondsAlias != null) {
            v.positive("timeoutSeconds", b.timeoutSecondsAlias);
            if (b.resetTimeoutSet && !b.timeoutSecondsAlias.equals(b.resetTimeout)) {
                v.problem("timeoutSeconds is an alias of resetTimeout and must agree with it, but was "
                        + b.timeoutSecondsAlias.toSeconds() + " s while resetTimeout was " + b.resetTimeout);
            }
        }
        if (b.halfOpenMaxWait != null) {
            v.positive("halfOpenMaxWait", b.halfOpenMaxWait);
        }
        v.checkWindow(b);
        v.checkRate("failureRateThreshold", b.failureRateThreshold);
        v.checkRate("slowCallRateThreshold", b.slowCallRateThreshold);
        boolean hasWindow = b.windowSize != null || b.windowDuration != null;
        if (b.failureRateThreshold != null && !hasWindow) {
            v.problem("failureRateThreshold needs a window: set windowSize or windowDuration, but neither was set");
        }
        if (b.slowCallRateThreshold != null) {
            if (!hasWindow) {
                v.problem("slowCallRateThreshold needs a window: set windowSize or windowDuration, but neither was set");
            }
            if (b.slowCallDuration == null) {
                v.problem("slowCallRateThreshold needs slowCallDuration, but slowCallDuration was not set");
            }
        }
        if (b.slowCallDuration != null) {
            v.positive("slowCallDuration", b.slowCallDuration);
        }
        v.checkBackoff(b);
        v.positive("stateTtl", b.stateTtl);
        if (b.stateRestoreWait.isNegative() || b.stateRestoreWait.compareTo(MAX_DURATION) > 0) {
            v.problem("stateRestoreWait must be in [0, 36500 days], but was " + b.stateRestoreWait);
        }
        if (!(b.jitter >= 0.0 && b.jitter < 1.0)) {
            v.problem("jitter must be in [0, 1), but was " + b.jitter);
        }
        v.throwIfAny(b.name);
    }

    private void throwIfAny(String name) {
        if (!problems.isEmpty()) {
            String subject = name == null || name.isBlank() ? "" : " '" + name + "'";
            throw new IllegalArgumentException("Invalid circuit breaker config" + subject + ": " + String.join("; ", problems));
        }
    }

    /** Checks a new name alone, as {@link #check} would, with the same message: for a config copied under it. */
    static void checkNewName(String name) {
        ConfigValidation v = new ConfigValidation();
        v.checkName(name);
        v.throwIfAny(name);
    }

    private void checkName(String name) {
        if (name == null) {
            problem("name must not be null");
        } else if (name.isBlank()) {
            problem("name must not be blank, but was '" + name + "'");
        } else if (name.length() > MAX_NAME_LENGTH) {
            problem("name must be at most " + MAX_NAME_LENGTH + " characters, but was " + name.length());
        } else if (name.chars().anyMatch(Character::isISOControl)) {
            problem("name must not contain control characters, but was '" + name.replaceAll("\\p{Cntrl}", "?") + "'");
        }
    }

    private void checkWindow(CircuitBreakerConfigBuilder b) {
        if (b.windowSize != null) {
            if (b.windowSize < 1 || b.windowSize > CircuitBreakerConfig.MAX_WINDOW_SIZE) {
                problem("windowSize must be in [1, " + CircuitBreakerConfig.MAX_WINDOW_SIZE + "], but was " + b.windowSize);
            }
        }
        if (b.windowDuration != null) {
            if (b.windowDuration.compareTo(Duration.ofSeconds(1)) < 0
                    || b.windowDuration.compareTo(CircuitBreakerConfig.MAX_WINDOW_DURATION) > 0) {
                problem("windowDuration must be in [1 s, 1 h], but was " + b.windowDuration);
            } else if (b.windowDuration.toNanos() % 1_000_000_000L != 0) {
                problem("windowDuration must be whole seconds (the window keeps one bucket per second), but was "
                        + b.windowDuration);
            }
        }
        if (b.windowSize != null && b.windowDuration != null) {
            problem("windowSize and windowDuration exclude each other: choose a count window or a time window, but both were set ("
                    + b.windowSize + ", " + b.windowDuration + ")");
        }
        if (b.minimumCalls != null) {
            if (b.minimumCalls < 1) {
                problem("minimumCalls must be >= 1, but was " + b.minimumCalls);
            } else if (b.windowSize != null && b.windowSize > 0 && b.minimumCalls > b.windowSize) {
                problem("minimumCalls must be <= windowSize (" + b.windowSize
                        + "), since the window never holds more, but was " + b.minimumCalls);
            } else if (b.windowSize == null && b.windowDuration == null) {
                problem("minimumCalls needs a window: set windowSize or windowDuration, but neither was set");
            }
        }
    }

    private void checkBackoff(CircuitBreakerConfigBuilder b) {
        if (!(b.backoffMultiplier >= 1.0) || Double.isInfinite(b.backoffMultiplier)) {
            problem("backoffMultiplier must be a finite number >= 1, but was " + b.backoffMultiplier);
        }
        if (b.maxResetTimeout != null) {
            positive("maxResetTimeout", b.maxResetTimeout);
            Duration reset = b.resetTimeout();
            if (reset != null && b.maxResetTimeout.compareTo(reset) < 0) {
                problem("maxResetTimeout must be >= resetTimeout (" + reset + "), but was " + b.maxResetTimeout);
            }
        }
    }

    private void checkRate(String field, Double rate) {
        if (rate != null && !(rate > 0.0 && rate <= 1.0)) {
            problem(field + " must be in (0, 1], but was " + rate);
        }
    }

    private void atLeast(String field, int value, int min) {
        if (value < min) {
            problem(field + " must be >= " + min + ", but was " + value);
        }
    }

    /** Longest duration of any setting: room for nanosecond arithmetic, and more than any breaker waits. */
    static final Duration MAX_DURATION = Duration.ofDays(36_500);

    private void positive(String field, Duration value) {
        if (value.isNegative() || value.isZero()) {
            problem(field + " must be > 0, but was " + value);
        } else if (value.compareTo(MAX_DURATION) > 0) {
            problem(field + " must be at most 36500 days (100 years; for a breaker that only a person resets, use "
                    + "forceOpen()), but was " + value);
        }
    }

    private void problem(String message) {
        problems.add(message);
    }
}
