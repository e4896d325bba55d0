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
import javax.net.ssl.SSLContext;
import redis.clients.jedis.DefaultJedisClientConfig;
import redis.clients.jedis.HostAndPort;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.JedisPool;
import redis.clients.jedis.exceptions.JedisConnectionException;
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

    private RedisStateStore(RedisUri uri, Duration ttl, Duration timeout, SSLContext sslContext) {
        int timeoutMillis = (int) Math.min(Integer.MAX_VALUE, Math.max(1, timeout.toMillis()));
        DefaultJedisClientConfig.Builder config = DefaultJedisClientConfig.builder()
                .user(uri.user())
                .password(uri.password())
                .database(uri.database())
                .ssl(uri.tls())
                .connectionTimeoutMillis(timeoutMillis)
                .socketTimeoutMillis(timeoutMillis)
                // GET and SETEX answer alike in RESP2: no HELLO (nor Jedis's warning at each connection that it skips it).
                .autoNegotiateProtocol(false);
        if (sslContext != null) {
            config.sslSocketFactory(sslContext.getSocketFactory());
        }
        // Jedis checks the server's host name against its certificate when given no SSLParameters of its own.
        this.redis = new JedisPool(new HostAndPort(uri.host(), uri.port()), config.build());
        this.ttlSeconds = Math.max(1, ttl.toSeconds());
        this.uri = uri;
    }

    /** A store at {@code uri} with the default TTL and timeout; see {@link #fromUri(String, Duration, Duration)}. */
    public static RedisStateStore fromUri(String uri) {
        return builder(uri).build();
    }

    /**
     * A store at {@code uri}, {@code redis[s]://[[user]:password@]host[:port][/database]}: {@code rediss} for
     * TLS, port 6379 and database 0 unless given, a password alone ({@code :password@}) for the default
     * user; characters such as {@code @ / ? # %} and spaces in the user name or password percent-encoded
     * ({@code %40}...). Its keys expire after {@code ttl}; {@code timeout} bounds connecting and each reply.
     *
     * <p>This opens no connection: a store whose Redis is down, or not up yet, is still made, and the
     * breaker works on without it. So what only the server knows is found on first use: a database index it
     * lacks (Redis has 16, 0 to 15, by default), credentials it refuses, a password it requires, a certificate
     * that is not trusted or does not name the host. Then every {@link #load} and {@link #save} fails with an
     * {@link IllegalStateException} that says so, the breaker counts it ({@code storeErrors()},
     * {@code breaker.store.errors}) and logs the first one as a warning.
     *
     * @throws IllegalArgumentException if {@code uri} is null, blank or malformed (the message names the
     *                                  part and the rule, and never shows the password), or if {@code ttl}
     *                                  is under 1 s or {@code timeout} not positive
     */
    public static RedisStateStore fromUri(String uri, Duration ttl, Duration timeout) {
        return builder(uri).ttl(ttl).timeout(timeout).build();
    }

    /**
     * Options of a store at {@code uri} (see {@link #fromUri(String, Duration, Duration)}); the URI is checked at
     * {@link Builder#build()}.
     */
    public static Builder builder(String uri) {
        return new Builder(uri);
    }

    /** Options of a {@link RedisStateStore}: {@link #ttl}, {@link #timeout}, and the TLS context for {@code rediss://}. */
    public static final class Builder {
        private final String uri;
        private Duration ttl = DEFAULT_TTL;
        private Duration timeout = DEFAULT_TIMEOUT;
        private SSLContext sslContext;

        private Builder(String uri) {
            this.uri = uri;
        }

        /** How long saved state lives in Redis (default {@link #DEFAULT_TTL}, at least 1 s). */
        public Builder ttl(Duration ttl) {
            this.ttl = Objects.requireNonNull(ttl, "ttl");
            return this;
        }

        /** Bounds connecting and each reply (default {@link #DEFAULT_TIMEOUT}, positive). */
        public Builder timeout(Duration timeout) {
            this.timeout = Objects.requireNonNull(timeout, "timeout");
            return this;
        }

        /**
         * The TLS context of a {@code rediss://} store: its trust managers decide which server certificates are
         * trusted (a private CA, say). Default: the JVM's ({@code javax.net.ssl.trustStore}, else the JDK's CA
         * certificates). Either way the certificate must also name the URI's host.
         */
        public Builder sslContext(SSLContext context) {
            this.sslContext = Objects.requireNonNull(context, "context");
            return this;
        }

        /**
         * The store; it opens no connection yet.
         *
         * @throws IllegalArgumentException for a malformed URI (the message never shows the password), a
         *                                  {@code ttl} under 1 s, a {@code timeout} not positive, or an
         *                                  {@code sslContext} with a {@code redis://} (plain) URI
         */
        public RedisStateStore build() {
            RedisUri parsed = RedisUri.parse(uri);
            if (ttl.isNegative() || ttl.toSeconds() < 1) {
                throw new IllegalArgumentException("ttl must be at least 1 s, but was " + ttl);
            }
            if (timeout.isNegative() || timeout.isZero()) {
                throw new IllegalArgumentException("timeout must be > 0, but was " + timeout);
            }
            if (sslContext != null && !parsed.tls()) {
                throw new IllegalArgumentException("an sslContext was given, but the URI " + parsed.address()
                        + " is plain redis://; TLS is rediss://");
            }
            return new RedisStateStore(parsed, ttl, timeout, sslContext);
        }
    }

    /** The TTL of the keys a save writes: a breaker whose stateTtl is longer warns of it. */
    @Override
    public Optional<Duration> retention() {
        return Optional.of(Duration.ofSeconds(ttlSeconds));
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
        if (state.reopenCount() > 0) {
            detail.put("reopenCount", state.reopenCount());
        }
        String detailJson = JSON.writeValueAsString(detail);
        onAFreshConnectionIfNeeded(jedis -> {
            // The detail first: it is what a restore reads. A save that fails between the two writes leaves the state
            // key, which only other tools read, one save behind, never the restore (and the failure is reported).
            // MULTI/EXEC would make the two one, but needs rights beyond GET and SETEX that a store's user may lack.
            // The state key, written a moment later, lives a second less, so that it expires before the detail,
            // never after: a state key alone would restore as entered now (see load).
            jedis.setex(detailKey(breaker), ttlSeconds, detailJson);
            jedis.setex(stateKey(breaker), Math.max(1, ttlSeconds - 1), state.state().name());
            return null;
        });
    }

    /** What one connection does. */
    @FunctionalInterface
    private interface OnConnection<T> {
        T run(Jedis jedis);
    }

    /**
     * {@code work} on a pooled connection, and once more on a new one when that connection turns out broken. Saves
     * come only at transitions, so a pooled connection may sit idle for hours, and a Redis restart, a failover or a
     * network device's idle timeout (many close idle connections after minutes) leaves it dead: its first command
     * fails, and Jedis drops it from the pool. Both loads and saves may be done twice (GET, SETEX). A connection that
     * cannot be made, or a reply that timed out (a slow Redis), is not tried again: that would double the wait.
     */
    private <T> T onAFreshConnectionIfNeeded(OnConnection<T> work) {
        Jedis pooled = connection();   // a connection that cannot be made is not made twice
        try {
            try (pooled) {
                return work.run(pooled);
            } catch (JedisConnectionException first) {
                if (timedOut(first)) {
                    throw first;   // a slow Redis, not a dead connection: another try would wait as long again
                }
                try (Jedis fresh = connection()) {
                    return work.run(fresh);
                }
            }
        } catch (JedisException e) {
            throw RedisFailures.explained(e, uri);
        }
    }

    private static boolean timedOut(Throwable failure) {
        for (Throwable t = failure; t != null; t = t.getCause()) {
            if (t instanceof java.net.SocketTimeoutException) {
                return true;
            }
        }
        return false;
    }

    @Override
    public Optional<PersistedState> load(String breaker) throws Exception {
        String[] read = onAFreshConnectionIfNeeded(jedis -> {
            String d = jedis.get(detailKey(breaker));
            return new String[] {d, d == null ? jedis.get(stateKey(breaker)) : null};
        });
        String detail = read[0];
        String state = read[1];
        if (detail != null) {
            JsonNode json = JSON.readTree(detail);
            JsonNode openUntil = json.get("openUntil");
            return Optional.of(new PersistedState(CircuitBreakerState.valueOf(json.get("state").asText()),
                    Instant.parse(json.get("since").asText()),
                    openUntil == null || openUntil.isNull() ? null : Instant.parse(openUntil.asText()),
                    json.path("reason").asText(""), Math.max(0, json.path("reopenCount").asInt(0))));
        }
        if (state == null) {
            return Optional.empty();
        }
        // Only the state key (written by another tool, say): take it as entered now.
        return Optional.of(new PersistedState(CircuitBreakerState.valueOf(state), Instant.now(), null, "restored from " + stateKey(breaker)));
    }

    // Redis checks the database index and the credentials when the pool makes a connection; a password it
    // requires but was not given shows on the first command.
    private Jedis connection() {
        try {
            return redis.getResource();
        } catch (JedisException e) {
            throw RedisFailures.explained(e, uri);
        }
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
