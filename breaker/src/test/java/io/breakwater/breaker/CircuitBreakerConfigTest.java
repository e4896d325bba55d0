package io.breakwater.breaker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.function.UnaryOperator;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class CircuitBreakerConfigTest {

    private static Arguments bad(String expectedMessage, UnaryOperator<CircuitBreakerConfigBuilder> change) {
        return Arguments.of(expectedMessage, change);
    }

    /** Every rule of the config, each broken once; the message must name the field, the rule and the value. */
    static Stream<Arguments> catalogue() {
        return Stream.of(
                bad("name must not be blank, but was '  '", b -> b.name("  ")),
                bad("name must not be null", b -> b.name(null)),
                bad("name must be at most 300 characters, but was 301", b -> b.name("x".repeat(301))),
                bad("name must not contain control characters", b -> b.name("a\nb")),
                bad("failureThreshold must be >= 1, but was 0", b -> b.failureThreshold(0)),
                bad("failureThreshold must be >= 1, but was -3", b -> b.failureThreshold(-3)),
                bad("successThreshold must be >= 1, but was 0", b -> b.successThreshold(0)),
                bad("halfOpenMaxCalls must be in [1, 10000], but was 0", b -> b.halfOpenMaxCalls(0)),
                bad("halfOpenMaxCalls must be in [1, 10000], but was 10001", b -> b.halfOpenMaxCalls(10_001)),
                bad("successThreshold must be <= halfOpenMaxCalls (2), or HALF_OPEN could never close, but was 3",
                        b -> b.halfOpenMaxCalls(2)),
                bad("resetTimeout must be > 0, but was PT0S", b -> b.resetTimeout(Duration.ZERO)),
                bad("resetTimeout must be > 0, but was PT-1S", b -> b.resetTimeout(Duration.ofSeconds(-1))),
                bad("resetTimeout must be at most 36500 days (100 years; for a breaker that only a person resets, use "
                        + "forceOpen()), but was PT876024H", b -> b.resetTimeout(Duration.ofDays(36_501))),
                bad("maxResetTimeout must be at most 36500 days", b -> b.exponentialBackoff(2, Duration.ofSeconds(Long.MAX_VALUE))),
                bad("timeoutSeconds must be at most 36500 days", b -> b.timeoutSeconds(Long.MAX_VALUE)),
                bad("timeoutSeconds must be > 0, but was PT0S", b -> b.timeoutSeconds(0)),
                bad("timeoutSeconds is an alias of resetTimeout and must agree with it, but was 45 s while resetTimeout was PT30S",
                        b -> b.resetTimeout(Duration.ofSeconds(30)).timeoutSeconds(45)),
                bad("halfOpenMaxWait must be > 0, but was PT0S", b -> b.halfOpenMaxWait(Duration.ZERO)),
                bad("windowSize must be in [1, 1000000], but was -1", b -> b.windowSize(-1)),
                bad("windowSize must be in [1, 1000000], but was 0", b -> b.windowSize(0)),
                bad("windowSize must be in [1, 1000000], but was 1000001", b -> b.windowSize(1_000_001)),
                bad("windowDuration must be in [1 s, 1 h], but was PT0S", b -> b.windowDuration(Duration.ZERO)),
                bad("windowDuration must be in [1 s, 1 h], but was PT2H", b -> b.windowDuration(Duration.ofHours(2))),
                bad("windowDuration must be whole seconds (the window keeps one bucket per second), but was PT1.5S",
                        b -> b.windowDuration(Duration.ofMillis(1500))),
                bad("windowSize and windowDuration exclude each other", b -> b.windowSize(10).windowDuration(Duration.ofSeconds(10))),
                bad("minimumCalls must be >= 1, but was -1", b -> b.windowSize(10).minimumCalls(-1)),
                bad("minimumCalls must be >= 1, but was 0", b -> b.windowSize(10).minimumCalls(0)),
                bad("minimumCalls must be <= windowSize (10), since the window never holds more, but was 11",
                        b -> b.windowSize(10).minimumCalls(11)),
                bad("minimumCalls needs a window", b -> b.minimumCalls(5)),
                bad("failureRateThreshold must be in (0, 1], but was 1.2", b -> b.windowSize(10).failureRateThreshold(1.2)),
                bad("failureRateThreshold must be in (0, 1], but was 0.0", b -> b.windowSize(10).failureRateThreshold(0)),
                bad("failureRateThreshold must be in (0, 1], but was -0.5", b -> b.windowSize(10).failureRateThreshold(-0.5)),
                bad("failureRateThreshold needs a window", b -> b.failureRateThreshold(0.5)),
                bad("failureRateThreshold must be in (0, 1], but was NaN", b -> b.windowSize(10).failureRateThreshold(Double.NaN)),
                bad("failureRateThreshold must be in (0, 1], but was Infinity",
                        b -> b.windowSize(10).failureRateThreshold(Double.POSITIVE_INFINITY)),
                bad("slowCallRateThreshold must be in (0, 1], but was NaN",
                        b -> b.windowSize(10).slowCallDuration(Duration.ofSeconds(1)).slowCallRateThreshold(Double.NaN)),
                bad("jitter must be in [0, 1), but was NaN", b -> b.jitter(Double.NaN)),
                bad("stateRestoreWait must be in [0, 36500 days], but was PT-1S", b -> b.stateRestoreWait(Duration.ofSeconds(-1))),
                bad("slowCallRateThreshold must be in (0, 1], but was 2.0",
                        b -> b.windowSize(10).slowCallDuration(Duration.ofSeconds(1)).slowCallRateThreshold(2)),
                bad("slowCallRateThreshold needs a window",
                        b -> b.slowCallDuration(Duration.ofSeconds(1)).slowCallRateThreshold(0.5)),
                bad("slowCallRateThreshold needs slowCallDuration", b -> b.windowSize(10).slowCallRateThreshold(0.5)),
                bad("slowCallDuration must be > 0, but was PT0S", b -> b.slowCallDuration(Duration.ZERO)),
                bad("backoffMultiplier must be a finite number >= 1, but was 0.5",
                        b -> b.exponentialBackoff(0.5, Duration.ofMinutes(5))),
                bad("backoffMultiplier must be a finite number >= 1, but was NaN",
                        b -> b.exponentialBackoff(Double.NaN, Duration.ofMinutes(5))),
                bad("maxResetTimeout must be >= resetTimeout (PT30S), but was PT10S",
                        b -> b.exponentialBackoff(2, Duration.ofSeconds(10))),
                bad("jitter must be in [0, 1), but was 1.0", b -> b.jitter(1.0)),
                bad("jitter must be in [0, 1), but was -0.1", b -> b.jitter(-0.1)));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("catalogue")
    void rejectsBadValuesWithAMessageThatNamesFieldRuleAndValue(String expected,
                                                               UnaryOperator<CircuitBreakerConfigBuilder> change) {
        CircuitBreakerConfigBuilder builder = change.apply(CircuitBreakerConfig.builder("orders"));
        assertThatThrownBy(builder::build)
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining(expected);
    }

    @Test
    void reportsEveryProblemAtOnce() {
        assertThatThrownBy(() -> CircuitBreakerConfig.builder("orders").failureThreshold(0).jitter(2).build())
                .hasMessage("Invalid circuit breaker config 'orders': failureThreshold must be >= 1, but was 0; "
                        + "jitter must be in [0, 1), but was 2.0");
    }

    @Test
    void nullArgumentsAreRefusedAtOnceNamingTheField() {
        assertThatThrownBy(() -> CircuitBreakerConfig.builder("x").resetTimeout(null))
                .isInstanceOf(NullPointerException.class).hasMessage("resetTimeout");
        assertThatThrownBy(() -> CircuitBreakerConfig.builder("x").clock(null))
                .isInstanceOf(NullPointerException.class).hasMessage("clock");
    }

    @Test
    void defaultsFollowTheGuide() {
        CircuitBreakerConfig c = CircuitBreakerConfig.ofDefaults("d");
        assertThat(c.failureThreshold()).isEqualTo(5);
        assertThat(c.successThreshold()).isEqualTo(3);
        assertThat(c.resetTimeout()).isEqualTo(Duration.ofSeconds(30));
        assertThat(c.halfOpenMaxCalls()).isEqualTo(3);
        assertThat(c.halfOpenMaxWait()).isEqualTo(Duration.ofSeconds(30));
        assertThat(c.hasWindow()).isFalse();
        assertThat(c.failureRateThreshold()).isEmpty();
        assertThat(c.slowCallRateThreshold()).isEmpty();
        assertThat(c.slowCallDuration()).isEmpty();
        assertThat(c.backoffMultiplier()).isEqualTo(1.0);
        assertThat(c.jitter()).isZero();
        assertThat(c.writableStackTrace()).isFalse();
    }

    @Test
    void minimumCallsDefaultsToTenOrTheWindowSize() {
        assertThat(CircuitBreakerConfig.builder("a").windowSize(4).build().minimumCalls()).isEqualTo(4);
        assertThat(CircuitBreakerConfig.builder("a").windowSize(100).build().minimumCalls()).isEqualTo(10);
        assertThat(CircuitBreakerConfig.builder("a").windowDuration(Duration.ofSeconds(5)).build().minimumCalls()).isEqualTo(10);
    }

    @Test
    void fromCopiesWithoutLinkingAndRederivesDefaults() {
        CircuitBreakerConfig base = BreakerPresets.brokerApi("alpaca");
        CircuitBreakerConfigBuilder builder = CircuitBreakerConfig.from(base).windowSize(5).resetTimeout(Duration.ofSeconds(9));
        CircuitBreakerConfig changed = builder.build();
        builder.failureThreshold(99);
        assertThat(changed.failureThreshold()).isEqualTo(5);
        assertThat(changed.minimumCalls()).isEqualTo(5);
        assertThat(changed.halfOpenMaxWait()).isEqualTo(Duration.ofSeconds(9));
        assertThat(base.windowSize()).hasValue(20);
        assertThat(base.resetTimeout()).isEqualTo(Duration.ofSeconds(60));
    }

    @Test
    void withNameRenamesOnly() {
        CircuitBreakerConfig base = BreakerPresets.redis("cache");
        CircuitBreakerConfig renamed = base.withName("sessions");
        assertThat(renamed.name()).isEqualTo("sessions");
        assertThat(renamed.failureThreshold()).isEqualTo(3);
        assertThat(base.withName("cache")).isSameAs(base);
        assertThat(renamed.s).as("a renamed copy shares the settings, not a copy of them").isSameAs(base.s);
        assertThat(renamed.differences(base)).isEmpty();
        assertThat(renamed.toString()).isEqualTo(base.toString().replace("name=cache", "name=sessions"));
    }

    @Test
    void withNameRefusesANameTheBuilderWouldRefuse() {
        CircuitBreakerConfig base = BreakerPresets.redis("cache");
        assertThatThrownBy(() -> base.withName(null)).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("Invalid circuit breaker config: name must not be null");
        assertThatThrownBy(() -> base.withName(" ")).hasMessage("Invalid circuit breaker config: name must not be blank, but was ' '");
        assertThatThrownBy(() -> base.withName("a\nb"))
                .hasMessage("Invalid circuit breaker config 'a\nb': name must not contain control characters, but was 'a?b'");
        assertThatThrownBy(() -> base.withName("x".repeat(301))).hasMessageContaining("at most 300 characters, but was 301");
    }
}
