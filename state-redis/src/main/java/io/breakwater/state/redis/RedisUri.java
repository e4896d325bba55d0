package io.breakwater.state.redis;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.Locale;
import java.util.regex.Pattern;

/**
 * A Redis URI, {@code redis[s]://[[user]:password@]host[:port][/database]}, taken apart by hand so that no
 * message ever repeats the password: {@link java.net.URI} and its exceptions echo their whole input. The
 * credentials are found first, as everything between {@code ://} and the last {@code @}, so that an
 * unencoded {@code @ / ? #} in a password cannot be mistaken for the host, the path or a query. A failure
 * shows the URI with the password as {@code ****}, and never a port it refuses; with credentials, a host, port or
 * database index that does not parse is not shown either (an unencoded {@code @} in a password with no host after
 * it puts the end of the password there). {@link #toString()} shows no credentials at all.
 */
final class RedisUri {

    static final int DEFAULT_PORT = 6379;

    private static final String FORM = "redis://[[user]:password@]host[:port][/database], as in redis://localhost:6379/0";
    private static final Pattern SCHEME = Pattern.compile("[A-Za-z][A-Za-z0-9+.-]{0,31}");
    private static final Pattern HOST_NAME = Pattern.compile("[A-Za-z0-9._-]+");
    private static final Pattern IPV6 = Pattern.compile("[0-9A-Fa-f:.]*:[0-9A-Fa-f:.]*");
    private static final Pattern DIGITS = Pattern.compile("[0-9]{1,10}");
    // RFC 3986 userinfo: unreserved, sub-delims and ':'; '%' escapes are checked apart.
    private static final String USERINFO_ASCII = "-._~!$&'()*+,;=:";

    private final boolean tls;
    private final String host;
    private final int port;
    private final int database;
    private final String user;
    private final String password;

    private RedisUri(boolean tls, String host, int port, int database, String user, String password) {
        this.tls = tls;
        this.host = host;
        this.port = port;
        this.database = database;
        this.user = user;
        this.password = password;
    }

    /** Parses {@code text}, or throws an {@link IllegalArgumentException} naming the rule it breaks. */
    static RedisUri parse(String text) {
        if (text == null) {
            throw bad("is null; expected " + FORM);
        }
        if (text.isBlank()) {
            throw bad("is blank; expected " + FORM);
        }
        if (!text.strip().equals(text)) {
            throw bad("must not start or end with whitespace");
        }
        int schemeEnd = text.indexOf("://");
        if (schemeEnd < 0) {
            throw bad("must start with redis:// or rediss:// (TLS), as in redis://localhost:6379/0");
        }
        String scheme = text.substring(0, schemeEnd);
        if (!scheme.equalsIgnoreCase("redis") && !scheme.equalsIgnoreCase("rediss")) {
            throw bad("must start with redis:// or rediss:// (TLS), but "
                    + (SCHEME.matcher(scheme).matches() ? "starts with '" + scheme + "://'" : "has no valid scheme"));
        }
        String rest = text.substring(schemeEnd + 3);
        int at = rest.lastIndexOf('@');
        String userinfo = at < 0 ? null : rest.substring(0, at);
        String location = rest.substring(at + 1);
        int query = firstOf(location, "?#");
        String address = query < 0 ? location : location.substring(0, query);
        // With credentials, what follows them is shown only if it reads as an address: an unencoded '@' in the
        // password (and no host after it) would put the end of the password there.
        boolean hide = userinfo != null;
        String shown = scheme.toLowerCase(Locale.ROOT) + "://" + (userinfo == null ? "" : masked(userinfo) + "@")
                + (hide && !readsAsAddress(address) ? "..." : address) + (query < 0 ? "" : location.charAt(query) + "****");
        String[] credentials = userinfo == null ? new String[2] : credentials(userinfo, shown);
        if (query >= 0) {
            throw bad("must not have a query ('?...') or a fragment ('#...'); it is not shown, as it may hold "
                    + "credentials. TLS is rediss://, the database index is the path");
        }
        Address parts = address(address, hide);
        return new RedisUri(scheme.equalsIgnoreCase("rediss"), parts.host, parts.port, parts.database, credentials[0],
                credentials[1]);
    }

    private record Address(String host, int port, int database) {
    }

    // host[:port][/database]; values are left out of messages when hide is set.
    private static Address address(String address, boolean hide) {
        int slash = address.indexOf('/');
        String authority = slash < 0 ? address : address.substring(0, slash);
        String path = slash < 0 ? "" : address.substring(slash);
        String[] hostAndPort = hostAndPort(authority, hide);
        int port = hostAndPort[1] == null ? DEFAULT_PORT : port(hostAndPort[1], hide);
        return new Address(hostAndPort[0], port, database(path, hide));
    }

    private static boolean readsAsAddress(String address) {
        try {
            address(address, true);
            return true;
        } catch (IllegalArgumentException e) {
            return false;
        }
    }

    // Why a value after the credentials is not shown.
    private static final String PASSWORD_END = "it is not shown, as it may be the end of a password with an unencoded '@': "
            + "write '@' in a password as %40";

    boolean tls() {
        return tls;
    }

    String host() {
        return host;
    }

    int port() {
        return port;
    }

    int database() {
        return database;
    }

    /** The user name, or null to authenticate as the default user. */
    String user() {
        return user;
    }

    /** The password, or null for no authentication. */
    String password() {
        return password;
    }

    /** {@code scheme://host:port/database}, without credentials. */
    String address() {
        return address(database);
    }

    /** {@link #address()} with another database index. */
    String address(int database) {
        return (tls ? "rediss" : "redis") + "://" + (host.indexOf(':') >= 0 ? "[" + host + "]" : host) + ":" + port
                + "/" + database;
    }

    /** {@link #address()}: never the credentials. */
    @Override
    public String toString() {
        return address();
    }

    private static IllegalArgumentException bad(String problem) {
        return new IllegalArgumentException("Redis URI " + problem);
    }

    private static int firstOf(String text, String chars) {
        for (int i = 0; i < text.length(); i++) {
            if (chars.indexOf(text.charAt(i)) >= 0) {
                return i;
            }
        }
        return -1;
    }

    // What a message shows of the userinfo: the user name, never the password.
    private static String masked(String userinfo) {
        int colon = userinfo.indexOf(':');
        return colon < 0 ? "****" : userinfo.substring(0, colon) + ":****";
    }

    private static String[] credentials(String userinfo, String shown) {
        if (userinfo.isEmpty()) {
            throw bad("has nothing before '@'; write user:password@ or :password@ before the host, or leave out the '@'");
        }
        int colon = userinfo.indexOf(':');
        if (colon < 0) {
            throw bad("userinfo must be user:password or :password, but has no ':' (in " + shown + ")");
        }
        if (colon == userinfo.length() - 1) {
            throw bad("password is empty (in " + shown + "); give one, or leave out the userinfo");
        }
        String user = decoded(userinfo.substring(0, colon), "user name", shown);
        String password = decoded(userinfo.substring(colon + 1), "password", shown);
        return new String[] {user.isEmpty() ? null : user, password};
    }

    private static String decoded(String part, String what, String shown) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        for (int i = 0; i < part.length(); ) {
            int c = part.codePointAt(i);
            if (c == '%') {
                int high = i + 2 < part.length() ? Character.digit(part.charAt(i + 1), 16) : -1;
                int low = high < 0 ? -1 : Character.digit(part.charAt(i + 2), 16);
                if (low < 0) {
                    throw bad(what + " has a '%' not followed by two hex digits; write '%' itself as %25 (in " + shown + ")");
                }
                bytes.write(high * 16 + low);
                i += 3;
            } else if (allowedAsIs(c)) {
                bytes.writeBytes(Character.toString(c).getBytes(StandardCharsets.UTF_8));
                i += Character.charCount(c);
            } else {
                throw bad(what + " has a character that must be percent-encoded, such as a space (%20), '@' (%40), "
                        + "'/' (%2F), '?' (%3F), '#' (%23) or '%' (%25) (in " + shown + ")");
            }
        }
        try {
            return StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(bytes.toByteArray())).toString();
        } catch (CharacterCodingException e) {
            throw bad(what + " is not UTF-8 once percent-decoded (in " + shown + ")");
        }
    }

    // As RFC 3986 userinfo allows (and java.net.URI, which also takes non-ASCII text that is not a space).
    private static boolean allowedAsIs(int c) {
        if (c < 128) {
            return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || USERINFO_ASCII.indexOf(c) >= 0;
        }
        return !Character.isISOControl(c) && !Character.isSpaceChar(c) && Character.isDefined(c)
                && (c < Character.MIN_SURROGATE || c > Character.MAX_SURROGATE);
    }

    // {host, port text or null}.
    private static String[] hostAndPort(String authority, boolean hide) {
        String host;
        String port;
        if (authority.startsWith("[")) {
            int close = authority.indexOf(']');
            if (close < 0) {
                throw bad("IPv6 address has no closing ']', as in redis://[::1]:6379/0");
            }
            host = authority.substring(1, close);
            String after = authority.substring(close + 1);
            if (!after.isEmpty() && !after.startsWith(":")) {
                throw bad("may have only ':port' after an IPv6 address");
            }
            port = after.isEmpty() ? null : after.substring(1);
            if (!IPV6.matcher(host).matches()) {
                throw bad("host must be a host name, an IPv4 address or an IPv6 address in brackets, but "
                        + (hide ? "is not (" + PASSWORD_END + ")" : "was '[" + host + "]'"));
            }
        } else {
            int colon = authority.indexOf(':');
            if (colon >= 0 && authority.indexOf(':', colon + 1) >= 0) {
                throw bad("has more than one ':' after the host; an IPv6 address goes in brackets, as in redis://[::1]:6379/0");
            }
            host = colon < 0 ? authority : authority.substring(0, colon);
            port = colon < 0 ? null : authority.substring(colon + 1);
            if (!host.isEmpty() && !HOST_NAME.matcher(host).matches()) {
                throw bad("host must be a host name, an IPv4 address or an IPv6 address in brackets, but "
                        + (hide ? "is not (" + PASSWORD_END + ")" : "was '" + host + "'"));
            }
        }
        if (host.isEmpty()) {
            throw bad("must name a host, as in redis://localhost:6379/0");
        }
        return new String[] {host, port};
    }

    // Never shown: without credentials, redis://user:password with the host left out reads as host:port; with them,
    // the end of a password with an unencoded '@' may read as host:port.
    private static int port(String text, boolean afterCredentials) {
        if (text.isEmpty()) {
            throw bad("port must be a number from 1 to 65535, but was empty");
        }
        boolean digits = text.chars().allMatch(c -> c >= '0' && c <= '9');
        if (DIGITS.matcher(text).matches()) {
            long port = Long.parseLong(text);
            if (port >= 1 && port <= 65535) {
                return (int) port;
            }
        }
        throw bad("port must be a number from 1 to 65535, but " + (digits ? "is out of range" : "is not a number") + " ("
                + (afterCredentials ? PASSWORD_END : "it is not shown, as it may be a password: credentials go before the "
                + "host, as in redis://user:password@host:6379/0") + ")");
    }

    private static int database(String path, boolean hide) {
        if (path.isEmpty() || path.equals("/")) {
            return 0;
        }
        String index = path.substring(1);
        if (index.indexOf('/') >= 0) {
            throw bad("path must be at most one segment, the database index, as in redis://localhost:6379/0, but "
                    + (hide ? "is not (" + PASSWORD_END + ")" : "was '" + path + "'"));
        }
        if (DIGITS.matcher(index).matches() && Long.parseLong(index) <= Integer.MAX_VALUE) {
            return Integer.parseInt(index);
        }
        throw bad("database index must be a non-negative integer (Redis has 16 databases, 0 to 15, by default), but "
                + (hide ? "is not (" + PASSWORD_END + ")" : "was '" + index + "'"));
    }
}
