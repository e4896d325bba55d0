package io.breakwater.state.redis;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.breakwater.breaker.BreakerStateStore;
import io.breakwater.breaker.CircuitBreakerState;
import io.breakwater.breaker.PersistedState;
import java.net.URI;
import java.time.Duration;
import java.time.Instant;
import java.util.Objects;
import java.util.Optional;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.JedisPool;

/**
 * Breaker state in Redis, with the key layout of the original guide: {@code circuit_breaker:{name}:state}
 * holds the state's name ({@code CLOSED}, {@code OPEN}, ...), and {@code circuit_breaker:{name}:detail}
 * beside it holds JSON ({@code state}, {@code since}, {@code openUntil}, {@code reason}); both expire after
 * the TTL (3600 s by default). Credentials, TLS and the database index come from the URI:
 * {@code redis://user:password@host:6379/2}, {@code rediss://host:6380/0}. Thread-safe.
 */
public final class RedisStateStore implements BreakerStateStore, AutoCloseable {

    /** How long saved state lives in Redis unless told otherwise, as in the original guide. */
    public static final Duration DEFAULT_TTL = Duration.ofSeconds(3600);
    /** Connection and socket timeout unless told otherwise: a store that is down must not hold anyone up. */
    public static final Duration DEFAULT_TIMEOUT = Duration.ofMillis(500);

    private static final ObjectMapper JSON = new ObjectMapper();

    private final JedisPool redis;
    private final long ttlSeconds;
    private final String description;

    private RedisStateStore(URI uri, Duration ttl, Duration timeout) {
        this.redis = new JedisPool(uri, (int) timeout.toMillis());
        this.ttlSeconds = Math.max(1, ttl.toSeconds());
        this.description = uri.getScheme() + "://" + uri.getHost() + ":" + (uri.getPort() < 0 ? 6379 : uri.getPort())
                + (uri.getPath() == null || uri.getPath().isEmpty() ? "" : uri.getPath());
    }

    /** A store at {@code uri} with the default TTL and timeout. */
    public static RedisStateStore fromUri(String uri) {
        return fromUri(uri, DEFAULT_TTL, DEFAULT_TIMEOUT);
    }

    /**
     * A store at {@code uri} ({@code redis://} or {@code rediss://} for TLS; user, password and database
     * index in the URI), whose keys expire after {@code ttl}.
     */
    public static RedisStateStore fromUri(String uri, Duration ttl, Duration timeout) {
        Objects.requireNonNull(uri, "uri");
        Objects.requireNonNull(ttl, "ttl");
        Objects.requireNonNull(timeout, "timeout");
        URI parsed;
        try {
            parsed = URI.create(uri);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("Redis URI is not a URI: " + e.getMessage(), e);
        }
        if (!"redis".equals(parsed.getScheme()) && !"rediss".equals(parsed.getScheme())) {
            throw new IllegalArgumentException("Redis URI must start with redis:// or rediss:// (TLS), but was '"
                    + parsed.getScheme() + "://...'");
        }
        if (parsed.getHost() == null) {
            throw new IllegalArgumentException("Redis URI must name a host, as in redis://localhost:6379/0");
        }
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
        ObjectNode detail = JSON.createObjectNode()
                .put("state", state.state().name())
                .put("since", state.since().toString())
                .put("reason", state.reason());
        if (state.openUntil() != null) {
            detail.put("openUntil", state.openUntil().toString());
        }
        try (Jedis jedis = redis.getResource()) {
            jedis.setex(stateKey(breaker), ttlSeconds, state.state().name());
            jedis.setex(detailKey(breaker), ttlSeconds, JSON.writeValueAsString(detail));
        }
    }

    @Override
    public Optional<PersistedState> load(String breaker) throws Exception {
        String detail;
        String state;
        try (Jedis jedis = redis.getResource()) {
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

    @Override
    public void close() {
        redis.close();
    }

    /** The store's address, without credentials. */
    @Override
    public String toString() {
        return "RedisStateStore[" + description + "]";
    }
}
