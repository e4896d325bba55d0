package io.breakwater.state.redis;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowable;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.assertj.core.api.AbstractThrowableAssert;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** What {@link RedisStateStore#fromUri} accepts, and what it tells the user about what it refuses. */
class RedisStateStoreUriTest {

    private static AbstractThrowableAssert<?, ? extends Throwable> refused(String uri) {
        return assertThatThrownBy(() -> RedisStateStore.fromUri(uri).close()).isInstanceOf(IllegalArgumentException.class);
    }

    private static String described(String uri) {
        try (RedisStateStore store = RedisStateStore.fromUri(uri)) {
            return store.toString();
        }
    }

    @Nested
    class Accepts {

        @Test
        void theDocumentedForms() {
            assertThat(described("redis://localhost")).isEqualTo("RedisStateStore[redis://localhost:6379/0]");
            assertThat(described("redis://localhost:6380/")).isEqualTo("RedisStateStore[redis://localhost:6380/0]");
            assertThat(described("rediss://cache.internal:6380/2")).isEqualTo("RedisStateStore[rediss://cache.internal:6380/2]");
            assertThat(described("redis://:s3cret@redis_1:6379/15")).isEqualTo("RedisStateStore[redis://redis_1:6379/15]");
            assertThat(described("redis://app:s3cret@10.0.0.7/3")).isEqualTo("RedisStateStore[redis://10.0.0.7:6379/3]");
            assertThat(described("redis://[::1]:6379/1")).isEqualTo("RedisStateStore[redis://[::1]:6379/1]");
        }

        @Test
        void itsRetentionIsItsTtl() {
            assertThat(RedisStateStore.fromUri("redis://localhost").retention()).contains(RedisStateStore.DEFAULT_TTL);
            assertThat(RedisStateStore.builder("redis://localhost").ttl(java.time.Duration.ofHours(6)).build().retention())
                    .contains(java.time.Duration.ofHours(6));
        }

        @Test
        void theSchemeInAnyCase() {
            assertThat(described("REDISS://Cache:6380/0")).isEqualTo("RedisStateStore[rediss://Cache:6380/0]");
        }

        @Test
        void aDatabaseIndexTheServerMayNotHaveUntilTheStoreIsUsed() {
            // Redis has 16 databases by default; how many this one has is known only once connected.
            assertThat(described("redis://localhost:6379/99")).isEqualTo("RedisStateStore[redis://localhost:6379/99]");
        }

        @Test
        void percentEncodedAndUnicodeCredentials() {
            assertThat(described("redis://app:p%40ss%20w%3Ard%2F%23%3F%25@localhost/0")).doesNotContain("app", "p%40ss", "p@ss");
            assertThat(described("redis://app:пароль密码@localhost/0")).doesNotContain("пароль");
        }
    }

    @Nested
    class Refuses {

        @Test
        void aNullUri() {
            assertThatThrownBy(() -> RedisStateStore.fromUri(null)).isInstanceOf(IllegalArgumentException.class)
                    .hasMessage("Redis URI is null; expected redis://[[user]:password@]host[:port][/database], "
                            + "as in redis://localhost:6379/0");
        }

        @ParameterizedTest
        @ValueSource(strings = {"", "   ", "\t\n"})
        void aBlankUri(String uri) {
            refused(uri).hasMessage("Redis URI is blank; expected redis://[[user]:password@]host[:port][/database], "
                    + "as in redis://localhost:6379/0");
        }

        @Test
        void whitespaceAroundTheUri() {
            refused(" redis://localhost:6379/0\n").hasMessage("Redis URI must not start or end with whitespace");
        }

        @ParameterizedTest
        @ValueSource(strings = {"localhost:6379", "redis:localhost:6379", "//localhost:6379/0"})
        void aUriWithoutScheme(String uri) {
            refused(uri).hasMessage("Redis URI must start with redis:// or rediss:// (TLS), as in redis://localhost:6379/0");
        }

        @Test
        void anotherScheme() {
            refused("http://localhost:6379")
                    .hasMessage("Redis URI must start with redis:// or rediss:// (TLS), but starts with 'http://'");
        }

        @ParameterizedTest
        @ValueSource(strings = {"redis://", "redis:///0", "redis://:6379/0", "redis://app:s3cret@:6379/0"})
        void aUriWithoutHost(String uri) {
            refused(uri).hasMessage("Redis URI must name a host, as in redis://localhost:6379/0");
        }

        @Test
        void aHostWithCharactersNoHostHas() {
            refused("redis://cache internal:6379/0").hasMessage(
                    "Redis URI host must be a host name, an IPv4 address or an IPv6 address in brackets, but was 'cache internal'");
        }

        @Test
        void anIpv6AddressWithoutBrackets() {
            refused("redis://::1:6379/0").hasMessage(
                    "Redis URI has more than one ':' after the host; an IPv6 address goes in brackets, as in redis://[::1]:6379/0");
        }

        @Test
        void anIpv6AddressWithoutClosingBracket() {
            refused("redis://[::1:6379/0").hasMessage("Redis URI IPv6 address has no closing ']', as in redis://[::1]:6379/0");
        }

        @Test
        void somethingOtherThanAPortAfterAnIpv6Address() {
            refused("redis://[::1]6379/0").hasMessage("Redis URI may have only ':port' after an IPv6 address");
        }

        @ParameterizedTest
        @ValueSource(strings = {"0", "65536", "99999999999999999999"})
        void aPortOutside1To65535(String port) {
            refused("redis://app:s3cret@localhost:" + port + "/0").hasMessage("Redis URI port must be a number from 1 to "
                    + "65535, but is out of range (" + PASSWORD_END + ")");
        }

        @ParameterizedTest
        @ValueSource(strings = {"-1", "63 79", "6379x"})
        void aPortThatIsNotANumber(String port) {
            refused("redis://app:s3cret@localhost:" + port + "/0").hasMessage("Redis URI port must be a number from 1 to "
                    + "65535, but is not a number (" + PASSWORD_END + ")");
        }

        @Test
        void anEmptyPort() {
            refused("redis://localhost:/0").hasMessage("Redis URI port must be a number from 1 to 65535, but was empty");
        }

        @Test
        void aBadPortWithoutCredentialsWithoutShowingIt() {
            // redis://user:password with the host left out looks like host:port: what follows ':' may be a password.
            refused("redis://localhost:70000/0").hasMessage("Redis URI port must be a number from 1 to 65535, but is "
                    + "out of range (it is not shown, as it may be a password: credentials go before the host, "
                    + "as in redis://user:password@host:6379/0)");
            refused("redis://app:s3cret/0").hasMessage("Redis URI port must be a number from 1 to 65535, but is "
                    + "not a number (it is not shown, as it may be a password: credentials go before the host, "
                    + "as in redis://user:password@host:6379/0)");
        }

        @ParameterizedTest
        @ValueSource(strings = {"abc", "-1", "+1", "1.5", "0x1", "99999999999"})
        void aDatabaseIndexThatIsNotANonNegativeInteger(String database) {
            refused("redis://localhost:6379/" + database).hasMessage("Redis URI database index must be a non-negative "
                    + "integer (Redis has 16 databases, 0 to 15, by default), but was '" + database + "'");
        }

        @Test
        void aNonNumericDatabaseIndexWithTheRuleNotANumberFormatException() {
            // The report that started this: a bare NumberFormatException from deep inside Jedis.
            Throwable failure = catchThrowable(() -> RedisStateStore.fromUri("redis://localhost:6379/abc"));
            assertThat(failure).isInstanceOf(IllegalArgumentException.class).hasNoCause()
                    .hasMessageContaining("database index must be a non-negative integer");
        }

        @ParameterizedTest
        @ValueSource(strings = {"/0/1", "/0/", "//0"})
        void aPathWithMoreThanOneSegment(String path) {
            refused("redis://localhost:6379" + path).hasMessage("Redis URI path must be at most one segment, the database "
                    + "index, as in redis://localhost:6379/0, but was '" + path + "'");
        }

        @ParameterizedTest
        @ValueSource(strings = {"redis://localhost:6379/0?password=s3cret", "redis://localhost:6379/0#s3cret",
                "redis://localhost?ssl=true"})
        void aQueryOrFragmentWithoutShowingIt(String uri) {
            refused(uri).hasMessage("Redis URI must not have a query ('?...') or a fragment ('#...'); it is not shown, as "
                    + "it may hold credentials. TLS is rediss://, the database index is the path");
        }

        @Test
        void anEmptyUserinfo() {
            refused("redis://@localhost:6379/0").hasMessage("Redis URI has nothing before '@'; write user:password@ or "
                    + ":password@ before the host, or leave out the '@'");
        }

        @Test
        void aUserinfoWithoutColon() {
            refused("redis://s3cret@localhost:6379/0").hasMessage("Redis URI userinfo must be user:password or :password, "
                    + "but has no ':' (in redis://****@localhost:6379/0)");
        }

        @ParameterizedTest
        @ValueSource(strings = {"app:", ":"})
        void anEmptyPassword(String userinfo) {
            refused("redis://" + userinfo + "@localhost:6379/0").hasMessage("Redis URI password is empty (in redis://"
                    + userinfo + "****@localhost:6379/0); give one, or leave out the userinfo");
        }

        @ParameterizedTest
        @ValueSource(strings = {"p@ss", "pa ss", "pa/ss", "pa#ss", "pa?ss", "pa[ss]", "pa\"ss", "pa\u0007ss"})
        void aPasswordWithAnUnencodedReservedCharacter(String password) {
            refused("redis://app:" + password + "@localhost:6379/0").hasMessage("Redis URI password has a character that "
                    + "must be percent-encoded, such as a space (%20), '@' (%40), '/' (%2F), '?' (%3F), '#' (%23) or "
                    + "'%' (%25) (in redis://app:****@localhost:6379/0)");
        }

        @Test
        void aUserNameWithAnUnencodedReservedCharacter() {
            refused("redis://a/pp:s3cret@localhost:6379/0").hasMessage("Redis URI user name has a character that must be "
                    + "percent-encoded, such as a space (%20), '@' (%40), '/' (%2F), '?' (%3F), '#' (%23) or "
                    + "'%' (%25) (in redis://a/pp:****@localhost:6379/0)");
        }

        @ParameterizedTest
        @ValueSource(strings = {"100%", "p%ss", "p%4", "p%G1"})
        void aPasswordWithABrokenPercentEscape(String password) {
            refused("redis://app:" + password + "@localhost:6379/0").hasMessage("Redis URI password has a '%' not followed "
                    + "by two hex digits; write '%' itself as %25 (in redis://app:****@localhost:6379/0)");
        }

        @Test
        void aPasswordThatIsNotUtf8OncePercentDecoded() {
            refused("redis://app:%C3%28@localhost:6379/0")
                    .hasMessage("Redis URI password is not UTF-8 once percent-decoded (in redis://app:****@localhost:6379/0)");
        }

        @Test
        void aTtlOrTimeoutThatIsNotPositive() {
            assertThatThrownBy(() -> RedisStateStore.fromUri("redis://localhost", java.time.Duration.ZERO,
                    java.time.Duration.ofSeconds(1))).isInstanceOf(IllegalArgumentException.class)
                    .hasMessage("ttl must be at least 1 s, but was PT0S");
            assertThatThrownBy(() -> RedisStateStore.fromUri("redis://localhost", java.time.Duration.ofSeconds(1),
                    java.time.Duration.ZERO)).isInstanceOf(IllegalArgumentException.class)
                    .hasMessage("timeout must be > 0, but was PT0S");
        }
    }

    static final String PASSWORD_END = "it is not shown, as it may be the end of a password with an unencoded '@': "
            + "write '@' in a password as %40";

    @Nested
    class NeverShowsTheEndOfAPasswordWithAnUnencodedAt {

        // The user wrote p@ss:w0rd/x y and left out the host: what follows the '@' reads as host, port and path.
        @Test
        void asAHostPortOrDatabaseIndex() {
            refused("redis://app:p@ss:w0rd/0").hasMessage("Redis URI port must be a number from 1 to 65535, but is not a "
                    + "number (" + PASSWORD_END + ")");
            refused("redis://app:p@ss w0rd/0").hasMessage("Redis URI host must be a host name, an IPv4 address or an IPv6 "
                    + "address in brackets, but is not (" + PASSWORD_END + ")");
            refused("redis://app:p@ss/w0rd").hasMessage("Redis URI database index must be a non-negative integer (Redis "
                    + "has 16 databases, 0 to 15, by default), but is not (" + PASSWORD_END + ")");
            refused("redis://app:p@ss/w0/rd").hasMessage("Redis URI path must be at most one segment, the database index, "
                    + "as in redis://localhost:6379/0, but is not (" + PASSWORD_END + ")");
            refused("redis://app:p@[ss:w0rd]/0").hasMessage("Redis URI host must be a host name, an IPv4 address or an "
                    + "IPv6 address in brackets, but is not (" + PASSWORD_END + ")");
        }

        @Test
        void inTheUriShownWithAnotherMistake() {
            // The start of the password has a space; its end, after the '@', does not read as an address.
            refused("redis://app:r3d!s p@ss%w0rd\"/0").hasMessage("Redis URI password has a character that must be "
                    + "percent-encoded, such as a space (%20), '@' (%40), '/' (%2F), '?' (%3F), '#' (%23) or '%' (%25) "
                    + "(in redis://app:****@...)");
        }
    }

    @Nested
    class NeverShowsThePassword {

        // Every way this test knows to write a URI that fails, with {pw} where the password goes.
        private static final List<String> BAD_URIS = List.of(
                "redis://app:{pw}@cache.internal:99999/0",
                "redis://app:{pw}@cache.internal:port/0",
                "redis://app:{pw}@cache.internal:/0",
                "redis://app:{pw}@cache.internal:6379/abc",
                "redis://app:{pw}@cache.internal:6379/-1",
                "redis://app:{pw}@cache.internal:6379/0/1",
                "redis://app:{pw}@:6379/0",
                "redis://app:{pw}@cache internal:6379/0",
                "redis://app:{pw}@[::1:6379/0",
                "redis://app:{pw}@::1:6379/0",
                "redis://app:{pw}@cache.internal:6379/0?ssl=true",
                "redis://app:{pw}@cache.internal:6379/0#x",
                "http://app:{pw}@cache.internal:6379/0",
                "redis:app:{pw}@cache.internal:6379/0",
                "app:{pw}@cache.internal:6379/0",
                "redis://{pw}@cache.internal:6379/0/1",
                "redis://a pp:{pw}@cache.internal:6379/0",
                " redis://app:{pw}@cache.internal:6379/0",
                "redis://app:{pw}/0/1");

        // Odd characters, written raw and percent-encoded; the last is part of the host, "cache.internal".
        private static final List<String> PASSWORDS = List.of(
                "100%sure", "two words", "at@sign", "co:lon", "sla/sh", "ha#sh", "que?ry", "пароль密码🔑", "cache");

        @Test
        void inAnyMessageOrCauseOfAnyFailure() {
            List<String> checked = new ArrayList<>();
            for (String password : PASSWORDS) {
                for (String form : List.of(password, percentEncoded(password))) {
                    for (String template : BAD_URIS) {
                        String uri = template.replace("{pw}", form);
                        Throwable failure = catchThrowable(() -> RedisStateStore.fromUri(uri).close());
                        assertThat(failure).as(uri).isInstanceOf(IllegalArgumentException.class);
                        // The host may contain the password ("cache"): only its other occurrences are leaks.
                        String shown = everythingShownOf(failure).replace("cache.internal", "").replace("cache internal", "");
                        assertThat(shown).as(uri).doesNotContain(password).doesNotContain(form);
                        checked.add(uri);
                    }
                }
            }
            assertThat(checked).hasSize(PASSWORDS.size() * 2 * BAD_URIS.size());
        }

        @Test
        void norHidesAHostThatContainsIt() {
            refused("redis://a pp:cache@cache.internal:6379/0").hasMessageContaining("(in redis://a pp:****@cache.internal:6379/0)");
        }

        @Test
        void inTheStoresDescription() {
            for (String password : PASSWORDS) {
                String uri = "redis://app:" + percentEncoded(password) + "@localhost:6379/2";
                assertThat(described(uri)).as(uri).isEqualTo("RedisStateStore[redis://localhost:6379/2]");
            }
        }

        private static String percentEncoded(String text) {
            return URLEncoder.encode(text, StandardCharsets.UTF_8).replace("+", "%20");
        }

        /** toString, message and stack trace of the failure, its causes and their suppressed exceptions. */
        private static String everythingShownOf(Throwable failure) {
            StringWriter text = new StringWriter();
            failure.printStackTrace(new PrintWriter(text));
            for (Throwable t = failure; t != null; t = t.getCause()) {
                text.append('\n').append(String.valueOf(t.getMessage())).append('\n').append(String.valueOf(t.getLocalizedMessage()));
            }
            return text.toString();
        }
    }
}
