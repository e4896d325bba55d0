package io.breakwater.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;
import static org.awaitility.Awaitility.await;

import io.breakwater.breaker.CircuitBreaker;
import io.breakwater.breaker.CircuitBreakerConfig;
import io.breakwater.breaker.CircuitBreakerRegistry;
import io.breakwater.breaker.CircuitBreakerState;
import io.breakwater.metrics.BreakerMetrics;
import io.breakwater.state.redis.RedisStateStore;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import redis.clients.jedis.Jedis;

/**
 * {@link RedisStateStore} against a {@code redis-server} of the test's own with passwords (the default user's and an
 * ACL user's, both with characters a URI must encode) and a TLS port serving a certificate made at test start for
 * {@code localhost} only. A store with the right credentials saves and restores; one with a wrong or missing
 * password, an untrusted certificate or a host the certificate does not name fails each load and save with a message
 * that says why and never shows the password, and the breaker counts those errors and works on.
 */
class RedisAuthIT {

    static final String PASSWORD = "p%@ss w0rd\"'\\";
    static final String USER = "orders-app";
    static final String USER_PASSWORD = "s€cr:t/#?&=";

    private static TestCertificates authority;
    private static RedisServerProcess redis;

    @BeforeAll
    static void startRedis() throws Exception {
        RedisServerProcess.assumeAvailable();
        authority = TestCertificates.authority("Breakwater RedisAuthIT CA");
        redis = RedisServerProcess.start(PASSWORD, USER, USER_PASSWORD, authority, authority.server("localhost"));
    }

    @AfterAll
    static void stopRedis() {
        if (redis != null) {
            redis.close();
        }
    }

    static String encoded(String text) {
        return URLEncoder.encode(text, StandardCharsets.UTF_8).replace("+", "%20");
    }

    private static String plain(String userinfo) {
        return "redis://" + userinfo + "@127.0.0.1:" + redis.port + "/0";
    }

    private static void assumeTls() {
        Assumptions.assumeTrue(redis.tlsUnavailable == null, () -> "this redis-server has no TLS: " + redis.tlsUnavailable);
    }

    private static CircuitBreaker breaker(CircuitBreakerRegistry registry, String name, RedisStateStore store) {
        return registry.getOrCreate(name, CircuitBreakerConfig.builder(name).failureThreshold(2)
                .resetTimeout(Duration.ofSeconds(60)).stateStore(store).build());
    }

    /** A breaker forced open through {@code store} is saved, then restored by a new breaker through a new store. */
    private void savesAndRestores(RedisStateStore.Builder first, RedisStateStore.Builder second) throws Exception {
        String name = "auth-" + UUID.randomUUID();
        try (RedisStateStore store = first.build()) {
            CircuitBreaker breaker = breaker(new CircuitBreakerRegistry(), name, store);
            breaker.forceOpen();
            try (Jedis admin = redis.admin(PASSWORD)) {
                await().atMost(Duration.ofSeconds(10)).until(() -> "FORCED_OPEN".equals(admin.get(RedisStateStore.stateKey(name))));
            }
            assertThat(breaker.storeErrors()).isZero();
        }
        try (RedisStateStore store = second.build()) {
            CircuitBreaker restored = breaker(new CircuitBreakerRegistry(), name, store);
            assertThat(restored.state()).isEqualTo(CircuitBreakerState.FORCED_OPEN);
            assertThat(restored.storeErrors()).isZero();
        }
    }

    private static String everythingShownOf(Throwable failure) {
        StringWriter text = new StringWriter();
        failure.printStackTrace(new PrintWriter(text));
        return text.toString();
    }

    @Test
    void theDefaultUsersPasswordOfOddCharactersAuthenticates() throws Exception {
        String uri = plain(":" + encoded(PASSWORD));
        savesAndRestores(RedisStateStore.builder(uri), RedisStateStore.builder(uri));
    }

    @Test
    void anAclUserAuthenticatesByNameAndPassword() throws Exception {
        String uri = plain(encoded(USER) + ":" + encoded(USER_PASSWORD));
        savesAndRestores(RedisStateStore.builder(uri), RedisStateStore.builder(uri));
    }

    /**
     * A save whose second write fails (here: a user that may write the state key but not the detail key) must not
     * leave the detail, which a restore reads, behind the state key: the restore would bring back a state older than
     * the one the state key shows, and than the last save that was reported done.
     */
    @Test
    void aSaveThatFailsHalfWayNeverLeavesTheRestoreBehindTheStateKey() throws Exception {
        String name = "half-" + UUID.randomUUID();
        String user = "state-key-writer";
        String password = "half-" + UUID.randomUUID();
        try (Jedis admin = redis.admin(PASSWORD)) {
            admin.aclSetUser(user, "reset", "on", ">" + password, "%R~circuit_breaker:*", "%W~circuit_breaker:*:state",
                    "+@all");
        }
        java.time.Instant since = java.time.Instant.parse("2026-01-01T00:00:00Z");
        try (RedisStateStore full = RedisStateStore.fromUri(plain(":" + encoded(PASSWORD)));
             RedisStateStore half = RedisStateStore.fromUri(plain(user + ":" + password))) {
            full.save(name, new io.breakwater.breaker.PersistedState(CircuitBreakerState.OPEN, since,
                    since.plusSeconds(60), "outage"));
            Throwable refused = catchThrowable(() -> half.save(name, new io.breakwater.breaker.PersistedState(
                    CircuitBreakerState.CLOSED, since.plusSeconds(61), null, "recovered")));
            assertThat(refused).as("the save is reported failed").isNotNull().hasMessageContaining("NOPERM");

            assertThat(full.load(name)).hasValueSatisfying(restored ->
                    assertThat(restored.state()).isEqualTo(CircuitBreakerState.OPEN));
            try (Jedis admin = redis.admin(PASSWORD)) {
                assertThat(admin.get(RedisStateStore.stateKey(name))).as("the state key, as the restore has it")
                        .isEqualTo("OPEN");
            }
        }
    }

    /**
     * Saves come at transitions only, so the pooled connection may sit idle for hours, and a Redis restart or a
     * network device's idle timeout closes it: the next save is not lost on it (here Redis closes it: CLIENT KILL,
     * on this test's own server). The detail key outlives the state key, so that it never expires first.
     */
    @Test
    void aSaveAfterRedisClosedThePooledConnectionStillLands() throws Exception {
        String name = "idle-" + UUID.randomUUID();
        java.time.Instant since = java.time.Instant.now();
        try (RedisStateStore store = RedisStateStore.fromUri(plain(":" + encoded(PASSWORD)));
             Jedis admin = redis.admin(PASSWORD)) {
            store.save(name, new io.breakwater.breaker.PersistedState(CircuitBreakerState.FORCED_OPEN, since, null,
                    "force-open by alice"));
            assertThat(admin.get(RedisStateStore.stateKey(name))).isEqualTo("FORCED_OPEN");
            long adminId = admin.clientId();
            int killed = 0;
            for (String line : admin.clientList().split("\n")) {
                long id = Long.parseLong(line.replaceAll("^id=(\\d+) .*", "$1").trim());
                if (id != adminId) {
                    killed += (int) admin.clientKill(new redis.clients.jedis.params.ClientKillParams()
                            .id(Long.toString(id)));
                }
            }
            assertThat(killed).as("the store's pooled connection, closed by Redis").isEqualTo(1);

            store.save(name, new io.breakwater.breaker.PersistedState(CircuitBreakerState.CLOSED, since.plusSeconds(1),
                    null, "reset by alice"));

            assertThat(admin.get(RedisStateStore.stateKey(name))).isEqualTo("CLOSED");
            assertThat(store.load(name)).hasValueSatisfying(restored ->
                    assertThat(restored.state()).isEqualTo(CircuitBreakerState.CLOSED));
            assertThat(admin.pttl(RedisStateStore.detailKey(name))).as("the detail outlives the state key")
                    .isGreaterThan(admin.pttl(RedisStateStore.stateKey(name)));
        }
    }

    @Test
    void aWrongPasswordCountsStoreErrorsAndTheBreakerWorksOn() throws Exception {
        String name = "wrong-password-" + UUID.randomUUID();
        CircuitBreakerRegistry registry = new CircuitBreakerRegistry();
        SimpleMeterRegistry meters = new SimpleMeterRegistry();
        BreakerMetrics.of(registry).bindTo(meters);
        try (RedisStateStore store = RedisStateStore.fromUri(plain(encoded(USER) + ":" + encoded("not " + USER_PASSWORD)))) {
            Throwable refused = catchThrowable(() -> store.load(name));
            assertThat(refused).isInstanceOf(IllegalStateException.class)
                    .hasMessageStartingWith("Redis at redis://127.0.0.1:" + redis.port + "/0 refused the credentials of user '"
                            + USER + "' (WRONGPASS");
            assertThat(everythingShownOf(refused)).doesNotContain(USER_PASSWORD).doesNotContain(encoded(USER_PASSWORD));

            CircuitBreaker breaker = breaker(registry, name, store);   // its restore fails: one error
            assertThat(breaker.state()).isEqualTo(CircuitBreakerState.CLOSED);
            breaker.recordFailure("x");
            breaker.recordFailure("x");
            assertThat(breaker.state()).isEqualTo(CircuitBreakerState.OPEN);
            assertThat(breaker.canExecute()).isFalse();
            await().atMost(Duration.ofSeconds(10)).until(() -> breaker.storeErrors() >= 2);   // and the save of OPEN
            assertThat(meters.get("breaker.store.errors").tag("name", name).functionCounter().count()).isGreaterThanOrEqualTo(2);
            breaker.reset();
            assertThat(breaker.state()).isEqualTo(CircuitBreakerState.CLOSED);
            assertThat(breaker.canExecute()).isTrue();
            await().atMost(Duration.ofSeconds(10)).until(() -> breaker.storeErrors() >= 3);
        }
        try (Jedis admin = redis.admin(PASSWORD)) {
            assertThat(admin.get(RedisStateStore.stateKey(name))).as("nothing saved").isNull();
        }
    }

    @Test
    void noPasswordWhereTheServerRequiresOneIsNamed() throws Exception {
        try (RedisStateStore store = RedisStateStore.fromUri("redis://127.0.0.1:" + redis.port + "/0")) {
            assertThat(catchThrowable(() -> store.load("orders"))).isInstanceOf(IllegalStateException.class)
                    .hasMessageStartingWith("Redis at redis://127.0.0.1:" + redis.port + "/0 requires a password (NOAUTH");
        }
    }

    @Test
    void overTlsWithTheCertificateAuthorityTrusted() throws Exception {
        assumeTls();
        String uri = "rediss://" + encoded(USER) + ":" + encoded(USER_PASSWORD) + "@localhost:" + redis.tlsPort + "/0";
        savesAndRestores(RedisStateStore.builder(uri).sslContext(authority.trustingContext()),
                RedisStateStore.builder(uri).sslContext(authority.trustingContext()));
    }

    @Test
    void overTlsAnUntrustedCertificateIsAStoreErrorThatSaysSo() throws Exception {
        assumeTls();
        // The JVM's own trust store does not know the authority made for this test.
        String uri = "rediss://:" + encoded(PASSWORD) + "@localhost:" + redis.tlsPort + "/0";
        try (RedisStateStore store = RedisStateStore.fromUri(uri)) {
            Throwable refused = catchThrowable(() -> store.load("orders"));
            assertThat(refused).isInstanceOf(IllegalStateException.class)
                    .hasMessageStartingWith("Redis at rediss://localhost:" + redis.tlsPort + "/0: the TLS handshake failed (")
                    .hasMessageContaining("PKIX");
            assertThat(everythingShownOf(refused)).doesNotContain(PASSWORD).doesNotContain(encoded(PASSWORD));
            CircuitBreaker breaker = breaker(new CircuitBreakerRegistry(), "untrusted-" + UUID.randomUUID(), store);
            breaker.forceOpen();
            await().atMost(Duration.ofSeconds(10)).until(() -> breaker.storeErrors() >= 2);
            assertThat(breaker.state()).isEqualTo(CircuitBreakerState.FORCED_OPEN);
        }
    }

    @Test
    void overTlsAHostTheCertificateDoesNotNameIsRefused() throws Exception {
        assumeTls();
        // The certificate names localhost only; 127.0.0.1 is the same server, but not the name it proves.
        String uri = "rediss://:" + encoded(PASSWORD) + "@127.0.0.1:" + redis.tlsPort + "/0";
        try (RedisStateStore store = RedisStateStore.builder(uri).sslContext(authority.trustingContext()).build()) {
            assertThat(catchThrowable(() -> store.load("orders"))).isInstanceOf(IllegalStateException.class)
                    .hasMessageStartingWith("Redis at rediss://127.0.0.1:" + redis.tlsPort + "/0: the TLS handshake failed (")
                    .hasMessageContaining("127.0.0.1");
        }
    }
}
