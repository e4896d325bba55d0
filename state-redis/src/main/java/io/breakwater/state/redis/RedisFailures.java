package io.breakwater.state.redis;

import javax.net.ssl.SSLException;
import redis.clients.jedis.exceptions.JedisDataException;
import redis.clients.jedis.exceptions.JedisException;

/**
 * Jedis's failures, explained: the server's reply ({@code WRONGPASS}, {@code NOAUTH}, a password it has none for,
 * {@code NOPERM}, a database index it lacks) or a TLS handshake that failed, each as an {@link IllegalStateException} that
 * names the address and what to change, with the original as its cause. Nothing here shows a password: the address has no
 * credentials, and Redis's replies and the JDK's TLS messages never repeat one.
 */
final class RedisFailures {

    private RedisFailures() {
    }

    /** {@code failure} explained for a store at {@code uri}, or {@code failure} itself when there is nothing to add. */
    static RuntimeException explained(JedisException failure, RedisUri uri) {
        String address = uri.address();
        String reply = reply(failure, "DB index");
        if (reply != null) {
            return new IllegalStateException("Redis at " + address + " refused database index " + uri.database() + " (" + reply
                    + "): it has fewer databases. Redis has 16 (0 to 15) unless 'databases' in redis.conf says otherwise; "
                    + "give an index it has as the URI's path, as in " + uri.address(0), failure);
        }
        String user = uri.user() == null ? "default" : uri.user();
        if ((reply = reply(failure, "WRONGPASS")) != null) {
            return new IllegalStateException("Redis at " + address + " refused the credentials of user '" + user + "' (" + reply
                    + "): check the user name and the password in the URI (percent-encoded, as in "
                    + "redis://user:p%40ss@host:6379/0 for p@ss)", failure);
        }
        if ((reply = reply(failure, "without any password configured")) != null) {
            return new IllegalStateException("Redis at " + address + " has no password to check (" + reply + "): remove the "
                    + "password from the URI, as in " + address + ", or give the server one (requirepass, or an ACL user)",
                    failure);
        }
        if ((reply = reply(failure, "NOAUTH")) != null) {
            return new IllegalStateException("Redis at " + address + " requires a password (" + reply + "): give it in the URI, "
                    + "as in redis://:password@host:6379/0, or redis://user:password@host:6379/0 for an ACL user", failure);
        }
        if ((reply = reply(failure, "NOPERM")) != null) {
            return new IllegalStateException("Redis at " + address + " does not let user '" + user + "' do this (" + reply
                    + "): the store needs GET and SETEX on the keys circuit_breaker:*, and SELECT for a database other than 0", failure);
        }
        SSLException tls = cause(failure, SSLException.class);
        if (tls != null) {
            return new IllegalStateException("Redis at " + address + ": the TLS handshake failed (" + tls.getMessage()
                    + "). The server's certificate must be trusted (the JVM's trust store, or the SSLContext given to "
                    + "RedisStateStore.builder(uri).sslContext(...)) and name the URI's host", failure);
        }
        return failure;
    }

    // The message of the first JedisDataException in the chain that contains marker (Redis's reply).
    private static String reply(Throwable failure, String marker) {
        for (Throwable t = failure; t != null; t = t.getCause()) {
            if (t instanceof JedisDataException && t.getMessage() != null && t.getMessage().contains(marker)) {
                return t.getMessage();
            }
        }
        return null;
    }

    private static <T extends Throwable> T cause(Throwable failure, Class<T> type) {
        for (Throwable t = failure; t != null; t = t.getCause()) {
            if (type.isInstance(t)) {
                return type.cast(t);
            }
        }
        return null;
    }
}
