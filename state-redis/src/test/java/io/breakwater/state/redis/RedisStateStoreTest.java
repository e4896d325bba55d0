package io.breakwater.state.redis;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.breakwater.breaker.CircuitBreakerState;
import io.breakwater.breaker.PersistedState;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

class RedisStateStoreTest {

    private static final PersistedState OPEN = new PersistedState(CircuitBreakerState.OPEN,
            Instant.parse("2026-01-01T00:00:00Z"), Instant.parse("2026-01-01T00:00:30Z"), "5 consecutive failure(s)");

    @Test
    void keysFollowTheGuide() {
        assertThat(RedisStateStore.stateKey("critical_service")).isEqualTo("circuit_breaker:critical_service:state");
        assertThat(RedisStateStore.detailKey("critical_service")).isEqualTo("circuit_breaker:critical_service:detail");
    }

    @Test
    void credentialsNeverShowInTheDescription() {
        try (RedisStateStore store = RedisStateStore.fromUri("redis://app:s3cret@127.0.0.1:6379/2")) {
            assertThat(store.toString()).isEqualTo("RedisStateStore[redis://127.0.0.1:6379/2]").doesNotContain("s3cret");
        }
    }

    @Test
    void percentEncodedCredentialsReachRedisDecoded() throws Exception {
        try (FakeRedis redis = new FakeRedis(FakeRedis::usual);
             RedisStateStore store = RedisStateStore.fromUri("redis://app:p%40ss%20w%3Ard%2F%23%3F%25%D0%BF@127.0.0.1:"
                     + redis.port() + "/3")) {
            assertThat(store.load("orders")).isEmpty();
            assertThat(redis.commands()).contains(List.of("AUTH", "app", "p@ss w:rd/#?%п"), List.of("SELECT", "3"));
        }
    }

    /** Jedis warns at every connection a client config that leaves protocol negotiation on: advice only the store can take. */
    @Test
    void aConnectionLogsNoWarningTheUserCannotActOn() throws Exception {
        // The build sends the tests' log to a file (org.slf4j.simpleLogger.logFile); run alone, it goes to System.err.
        org.slf4j.LoggerFactory.getILoggerFactory();   // the log file is opened (and emptied) once, by the first logger
        String file = System.getProperty("org.slf4j.simpleLogger.logFile");
        java.nio.file.Path log = file == null || file.equals("System.err") ? null : java.nio.file.Path.of(file);
        long before = log != null && java.nio.file.Files.exists(log) ? java.nio.file.Files.size(log) : 0;
        java.io.PrintStream err = System.err;
        java.io.ByteArrayOutputStream captured = new java.io.ByteArrayOutputStream();
        try (FakeRedis redis = new FakeRedis(FakeRedis::usual);
             RedisStateStore store = RedisStateStore.fromUri("redis://127.0.0.1:" + redis.port())) {
            System.setErr(new java.io.PrintStream(captured, true, java.nio.charset.StandardCharsets.UTF_8));
            store.save("orders", OPEN);
            store.load("orders");
        } finally {
            System.setErr(err);
        }
        String logged = captured.toString(java.nio.charset.StandardCharsets.UTF_8);
        if (log != null) {
            byte[] all = java.nio.file.Files.readAllBytes(log);
            logged += new String(all, (int) before, all.length - (int) before, java.nio.charset.StandardCharsets.UTF_8);
        }
        assertThat(logged).doesNotContain("redis.clients.jedis");
    }

    @Test
    void aPasswordForARedisThatHasNoneIsSaidSo() throws Exception {
        String noPassword = "-ERR AUTH <password> called without any password configured for the default user. Are you sure "
                + "your configuration is correct?\r\n";
        try (FakeRedis redis = new FakeRedis(c -> c.get(0).equals("AUTH") ? noPassword : FakeRedis.usual(c));
             RedisStateStore store = RedisStateStore.fromUri("redis://:s3cret@127.0.0.1:" + redis.port())) {
            assertThatThrownBy(() -> store.load("orders")).isInstanceOf(IllegalStateException.class)
                    .hasMessage("Redis at redis://127.0.0.1:" + redis.port() + "/0 has no password to check (ERR AUTH <password> "
                            + "called without any password configured for the default user. Are you sure your configuration "
                            + "is correct?): remove the password from the URI, as in redis://127.0.0.1:" + redis.port()
                            + "/0, or give the server one (requirepass, or an ACL user)")
                    .hasMessageNotContaining("s3cret");
        }
    }

    @Test
    void aPasswordAloneAuthenticatesTheDefaultUser() throws Exception {
        try (FakeRedis redis = new FakeRedis(FakeRedis::usual);
             RedisStateStore store = RedisStateStore.fromUri("redis://:s3cret@127.0.0.1:" + redis.port())) {
            assertThat(store.load("orders")).isEmpty();
            assertThat(redis.commands()).contains(List.of("AUTH", "s3cret")).noneMatch(c -> c.get(0).equals("SELECT"));
        }
    }

    @Test
    void aDatabaseIndexTheServerRefusesFailsEachLoadAndSaveSayingSo() throws Exception {
        try (FakeRedis redis = new FakeRedis(c -> c.get(0).equals("SELECT") ? "-ERR DB index is out of range\r\n" : FakeRedis.usual(c));
             RedisStateStore store = RedisStateStore.fromUri("redis://app:s3cret@127.0.0.1:" + redis.port() + "/99")) {
            String expected = "Redis at redis://127.0.0.1:" + redis.port() + "/99 refused database index 99 (ERR DB index "
                    + "is out of range): it has fewer databases. Redis has 16 (0 to 15) unless 'databases' in redis.conf "
                    + "says otherwise; give an index it has as the URI's path, as in redis://127.0.0.1:" + redis.port() + "/0";
            assertThatThrownBy(() -> store.load("orders")).isInstanceOf(IllegalStateException.class).hasMessage(expected)
                    .hasMessageNotContaining("s3cret").cause().hasMessageNotContaining("s3cret");
            assertThatThrownBy(() -> store.save("orders", OPEN)).isInstanceOf(IllegalStateException.class).hasMessage(expected);
        }
    }

    /** Everything a failure shows: its messages, its causes' and their suppressed exceptions', and its stack trace. */
    private static String shown(Throwable failure) {
        java.io.StringWriter text = new java.io.StringWriter();
        failure.printStackTrace(new java.io.PrintWriter(text));
        return text.toString();
    }

    @Test
    void aWrongPasswordFailsEachLoadAndSaveNamingTheUserAndNeverThePassword() throws Exception {
        try (FakeRedis redis = new FakeRedis(c -> c.get(0).equals("AUTH")
                ? "-WRONGPASS invalid username-password pair or user is disabled.\r\n" : FakeRedis.usual(c));
             RedisStateStore store = RedisStateStore.fromUri("redis://app:p%25%40ss%20w0rd@127.0.0.1:" + redis.port() + "/0")) {
            String expected = "Redis at redis://127.0.0.1:" + redis.port() + "/0 refused the credentials of user 'app' "
                    + "(WRONGPASS invalid username-password pair or user is disabled.): check the user name and the password "
                    + "in the URI (percent-encoded, as in redis://user:p%40ss@host:6379/0 for p@ss)";
            Throwable load = org.assertj.core.api.Assertions.catchThrowable(() -> store.load("orders"));
            assertThat(load).isInstanceOf(IllegalStateException.class).hasMessage(expected);
            assertThat(shown(load)).doesNotContain("p%@ss w0rd").doesNotContain("p%25%40ss");
            assertThatThrownBy(() -> store.save("orders", OPEN)).isInstanceOf(IllegalStateException.class).hasMessage(expected);
        }
    }

    @Test
    void aPasswordTheServerRequiresButWasNotGivenIsNamed() throws Exception {
        try (FakeRedis redis = new FakeRedis(c -> "-NOAUTH Authentication required.\r\n");
             RedisStateStore store = RedisStateStore.fromUri("redis://127.0.0.1:" + redis.port())) {
            assertThatThrownBy(() -> store.load("orders")).isInstanceOf(IllegalStateException.class)
                    .hasMessage("Redis at redis://127.0.0.1:" + redis.port() + "/0 requires a password (NOAUTH Authentication "
                            + "required.): give it in the URI, as in redis://:password@host:6379/0, or "
                            + "redis://user:password@host:6379/0 for an ACL user");
        }
    }

    @Test
    void aUserWithoutTheRightsIsNamed() throws Exception {
        try (FakeRedis redis = new FakeRedis(c -> c.get(0).equals("SETEX")
                ? "-NOPERM User app has no permissions to run the 'setex' command\r\n" : FakeRedis.usual(c));
             RedisStateStore store = RedisStateStore.fromUri("redis://app:s3cret@127.0.0.1:" + redis.port())) {
            assertThatThrownBy(() -> store.save("orders", OPEN)).isInstanceOf(IllegalStateException.class)
                    .hasMessage("Redis at redis://127.0.0.1:" + redis.port() + "/0 does not let user 'app' do this (NOPERM "
                            + "User app has no permissions to run the 'setex' command): the store needs GET and SETEX on "
                            + "the keys circuit_breaker:*, and SELECT for a database other than 0");
        }
    }

    @Test
    void aTlsContextIsForRedissOnly() throws Exception {
        javax.net.ssl.SSLContext context = javax.net.ssl.SSLContext.getDefault();
        assertThatThrownBy(() -> RedisStateStore.builder("redis://app:s3cret@localhost:6379/1").sslContext(context).build())
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("an sslContext was given, but the URI redis://localhost:6379/1 is plain redis://; TLS is rediss://");
        try (RedisStateStore store = RedisStateStore.builder("rediss://localhost:6380/1").sslContext(context).build()) {
            assertThat(store).hasToString("RedisStateStore[rediss://localhost:6380/1]");
        }
        assertThatThrownBy(() -> RedisStateStore.builder("rediss://localhost").sslContext(null))
                .isInstanceOf(NullPointerException.class).hasMessage("context");
        assertThatThrownBy(() -> RedisStateStore.builder("rediss://localhost").ttl(null))
                .isInstanceOf(NullPointerException.class).hasMessage("ttl");
    }

    /** A slow Redis (a reply that times out) is not asked again: that would double the wait of every save. */
    @Test
    void aReplyThatTimesOutIsNotTriedAgain() throws Exception {
        java.util.concurrent.CountDownLatch never = new java.util.concurrent.CountDownLatch(1);
        try (FakeRedis redis = new FakeRedis(command -> {
            if (command.get(0).equalsIgnoreCase("SETEX")) {
                try {
                    never.await();   // no answer until the test ends
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
            return FakeRedis.usual(command);
        }); RedisStateStore store = RedisStateStore.fromUri("redis://127.0.0.1:" + redis.port(),
                RedisStateStore.DEFAULT_TTL, java.time.Duration.ofMillis(200))) {
            assertThatThrownBy(() -> store.save("orders", OPEN)).hasRootCauseInstanceOf(java.net.SocketTimeoutException.class);
            assertThat(redis.commands().stream().filter(c -> c.get(0).equalsIgnoreCase("SETEX"))).hasSize(1);
        } finally {
            never.countDown();
        }
    }
}
