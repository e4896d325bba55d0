package io.breakwater.state.redis;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.breakwater.breaker.BreakerStateStore;
import io.breakwater.breaker.CircuitBreakerState;
import io.breakwater.breaker.PersistedState;
import java.time.Duration;
import java.time.Instant;
import java.util.Objects;
import java.util.Optional;
import redis.clients.jedis.DefaultJedisClientConfig;
import redis.clients.jedis.HostAndPort;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.JedisClientConfig;
import redis.clients.jedis.JedisPool;
import redis.clients.jedis.exceptions.JedisDataException;
import redis.clients.jedis.exceptions.JedisException;

/**
 * Breaker state in Redis, with the key layout of the original guide: {@code circuit_breaker:{name}:state}
 * holds the state's name ({@code CLOSED}, {@code OPEN}, ...), and {@code circuit_breaker:{name}:detail}
 * beside it holds JSON ({@code state}, {@code since}, {@code openUntil}, {@code reason}); both expire after
 * the TTL (3600 s by default). Credentials, TLS and the database index come from the URI:
 * {@code redis://user:password@host:6379/2}, {@code rediss://host:6380/0}. Thread-safe.
 *
 * <p>Neither {@link #toString()} nor any exception of this class shows the password.
 */
public final class RedisStateStore implements BreakerStateStore, AutoCloseable {

    /** How long saved state lives in Redis unless told otherwise, as in the original guide. */
    public static final Duration DEFAULT_TTL = Duration.ofSeconds(3600);
    /** Connection and socket timeout unless told otherwise: a store that is down must not hold anyone up. */
    public static final Duration DEFAULT_TIMEOUT = Duration.ofMillis(500);

    private static final ObjectMapper JSON = new ObjectMapper();

    private final JedisPool redis;
    private final long ttlSeconds;
    private final RedisUri uri;

    private RedisStateStore(RedisUri uri, Duration ttl, Duration timeout) {
        int timeoutMillis = (int) Math.min(Integer.MAX_VALUE, Math.max(1, timeout.toMillis()));
        JedisClientConfig config = DefaultJedisClientConfig.builder()
                .user(uri.user())
                .password(uri.password())
                .database(uri.database())
                .ssl(uri.tls())
                .connectionTimeoutMillis(timeoutMillis)
                .socketTimeoutMillis(timeoutMillis)
                .build();
        this.redis = new JedisPool(new HostAndPort(uri.host(), uri.port()), config);
        this.ttlSeconds = Math.max(1, ttl.toSeconds());
        this.uri = uri;
    }

    /** A store at {@code uri} with the default TTL and timeout; see {@link #fromUri(String, Duration, Duration)}. */
    public static RedisStateStore fromUri(String uri) {
        return fromUri(uri, DEFAULT_TTL, DEFAULT_TIMEOUT);
    }

    /**
     * A store at {@code uri}, {@code redis[s]://[[user]:password@]host[:port][/database]}: {@code rediss} for
     * TLS, port 6379 and database 0 unless given, a password alone ({@code :password@}) for the default
     * user; characters such as {@code @ / ? # %} and spaces in the user name or password percent-encoded
     * ({@code %40}...). Its keys expire after {@code ttl}; {@code timeout} bounds connecting and each reply.
     *
     * <p>This opens no connection: a store whose Redis is down, or not up yet, is still made, and the
     * breaker works on without it. So whether the server has the database index (Redis has 16, 0 to 15,
     * by default) is known only on first use: if the server refuses it, every {@link #load} and
     * {@link #save} fails with an {@link IllegalStateException} that says so, and the breaker logs the
     * first such failure as a warning.
     *
     * @throws IllegalArgumentException if {@code uri} is null, blank or malformed (the message names the
     *                                  part and the rule, and never shows the password), or if {@code ttl}
     *                                  is under 1 s or {@code timeout} not positive
     */
    public static RedisStateStore fromUri(String uri, Duration ttl, Duration timeout) {
        Objects.requireNonNull(ttl, "ttl");
        Objects.requireNonNull(timeout, "timeout");
        RedisUri parsed = RedisUri.parse(uri);
        if (ttl.isNegative() || ttl.toSeconds() < 1) {
            throw new IllegalArgumentException("ttl must be at least 1 s, but was " + ttl);
        }
        if (timeout.isNegative() || timeout.isZero()) {
            throw new IllegalArgumentException("timeout must be > 0, but was " + timeout);
        }
        return new RedisStateStore(parsed, ttl, timeout);
    }

    /** {@code circuit_breaker:{name}:state}. */
    public static String stateKey(String breaker) {
        return "circuit_breaker:" + breaker + ":state";
    }

    /** {@code circuit_breaker:{name}:detail}. */
    public static String detailKey(String breaker) {
        return "circuit_breaker:" + breaker + ":detail";
    }

    @Override
    public void save(String breaker, PersistedState state) throws Exception {
        java.util.Objects.requireNonNull(breaker, "breaker");
        java.util.Objects.requireNonNull(state, "state");
        ObjectNode detail = JSON.createObjectNode()
                .put("state", state.state().name())
                .put("since", state.since().toString())
                .put("reason", state.reason());
        if (state.openUntil() != null) {
            detail.put("openUntil", state.openUntil().toString());
        }
        try (Jedis jedis = connection()) {
            jedis.setex(stateKey(breaker), ttlSeconds, state.state().name());
            jedis.setex(detailKey(breaker), ttlSeconds, JSON.writeValueAsString(detail));
        }
    }

    @Override
    public Optional<PersistedState> load(String breaker) throws Exception {
        String detail;
        String state;
        try (Jedis jedis = connection()) {
            detail = jedis.get(detailKey(breaker));
            state = detail == null ? jedis.get(stateKey(breaker)) : null;
        }
        if (detail != null) {
            JsonNode json = JSON.readTree(detail);
            JsonNode openUntil = json.get("openUntil");
            return Optional.of(new PersistedState(CircuitBreakerState.valueOf(json.get("state").asText()),
                    Instant.parse(json.get("since").asText()),
                    openUntil == null || openUntil.isNull() ? null : Instant.parse(openUntil.asText()),
                    json.path("reason").asText("")));
        }
        if (state == null) {
            return Optional.empty();
        }
        // Only the state key (written by another tool, say): take it as entered now.
        return Optional.of(new PersistedState(CircuitBreakerState.valueOf(state), Instant.now(), null, "restored from " + stateKey(breaker)));
    }

    // Redis checks the database index when a connection selects it, which is when the pool makes one.
    private Jedis connection() {
        try {
            return redis.getResource();
        } catch (JedisException e) {
            if (refusedDatabase(e)) {
                throw new IllegalStateException("Redis at " + uri.address() + " refused database index " + uri.database()
                        + " (" + e.getMessage() + "): it has fewer databases. Redis has 16 (0 to 15) unless 'databases' "
                        + "in redis.conf says otherwise; give an index it has as the URI's path, as in " + uri.address(0), e);
            }
            throw e;
        }
    }

    private static boolean refusedDatabase(Throwable failure) {
        for (Throwable t = failure; t != null; t = t.getCause()) {
            if (t instanceof JedisDataException && t.getMessage() != null && t.getMessage().contains("DB index")) {
                return true;
            }
        }
        return false;
    }

    @Override
    public void close() {
        redis.close();
    }

    /** The store's address, without credentials. */
    @Override
    public String toString() {
        return "RedisStateStore[" + uri.address() + "]";
    }
}
