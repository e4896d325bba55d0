package io.breakwater.spill.internal;

import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;

/**
 * A JDBC URL as a message may show it: without {@code user:password@} before the host, and without the
 * parameters that carry secrets ({@code password=}, {@code sslpassword=}, {@code pwd=}, anything naming a
 * password, secret, token or credential). Parameters follow {@code ?} and are separated by {@code &}, or, in
 * URLs without {@code ?}, follow the first {@code ;} and are separated by {@code ;}; a parameter's value
 * ends where the driver ends it, at the next separator. Credentials before the host end at the last {@code @}
 * before the query, so an {@code @}, {@code :} or {@code /} in a password cannot show the rest of it, while an
 * {@code @} in a parameter ({@code user=me@server}) stays. Best effort for a password written in the URL with
 * reserved characters unencoded; a password given apart from the URL is redacted whole ({@link Redaction}).
 */
public final class JdbcUrl {

    private static final Pattern SECRET_NAME = Pattern.compile("(?i).*(password|passwd|pwd|secret|token|credential).*");

    private JdbcUrl() {
    }

    /** {@code url} without credentials. */
    public static String withoutCredentials(String url) {
        return split(url, new ArrayList<>());
    }

    /** The secrets {@code url} holds, as written and percent-decoded. */
    static List<String> secrets(String url) {
        List<String> secrets = new ArrayList<>();
        split(url, secrets);
        return secrets;
    }

    /**
     * Whether {@code url} has {@code user@} or {@code user:password@} before its host: an {@code @} with no {@code /}
     * before it (after {@code //}), or with the path's {@code /} after it, as in {@code //u:pa/ss@host:5432/db}. An
     * {@code @} in the path ({@code //host/app@eu}) is the database's.
     */
    public static boolean credentialsBeforeHost(String url) {
        int at = userInfoEnd(url);
        if (at < 0) {
            return false;
        }
        int slashes = url.indexOf("//");
        int query = url.indexOf('?', at);
        String after = url.substring(at + 1, query < 0 ? url.length() : query);
        int path = url.indexOf('/', slashes + 2);
        return path < 0 || path > at || after.indexOf('/') >= 0;
    }

    // The '@' that ends credentials before the host, or -1 when there are none.
    private static int userInfoEnd(String url) {
        int slashes = url.indexOf("//");
        if (slashes < 0) {
            return -1;
        }
        int query = url.indexOf('?', slashes + 2);
        int at = url.lastIndexOf('@', query < 0 ? url.length() : query);
        if (at < slashes && query >= 0 && atOutsideAParameter(url.substring(query + 1))) {
            at = url.lastIndexOf('@'); // a '?' in a password before the host: //user:pa?ss@host
        }
        return at > slashes ? at : -1;
    }

    private static String split(String url, List<String> secrets) {
        int slashes = url.indexOf("//");
        if (slashes >= 0) {
            int at = userInfoEnd(url);
            if (at >= 0) {
                String userinfo = url.substring(slashes + 2, at);
                int colon = userinfo.indexOf(':');
                if (colon >= 0) {
                    add(secrets, userinfo.substring(colon + 1));
                }
                url = url.substring(0, slashes + 2) + url.substring(at + 1);
            }
        }
        int query = url.indexOf('?');
        String separator = "&";
        if (query < 0) {
            query = url.indexOf(';');
            separator = ";";
        }
        if (query < 0) {
            return url;
        }
        StringBuilder kept = new StringBuilder();
        for (String param : url.substring(query + 1).split(Pattern.quote(separator), -1)) {
            int equals = param.indexOf('=');
            if (equals >= 0 && SECRET_NAME.matcher(param.substring(0, equals)).matches()) {
                add(secrets, param.substring(equals + 1));
            } else if (equals != 0 && !param.isEmpty()) {
                kept.append(kept.length() == 0 ? "" : separator).append(param);
            }
        }
        return url.substring(0, query) + (kept.length() == 0 ? "" : url.charAt(query) + kept.toString());
    }

    // Whether some '&'-separated part of the query has an '@' before any '=': not name=value, so the '@' ends
    // credentials before the host, and the '?' before it was part of them.
    private static boolean atOutsideAParameter(String query) {
        for (String param : query.split("&", -1)) {
            int at = param.indexOf('@');
            int equals = param.indexOf('=');
            if (at >= 0 && (equals < 0 || at < equals)) {
                return true;
            }
        }
        return false;
    }

    private static void add(List<String> secrets, String secret) {
        if (secret.isEmpty()) {
            return;
        }
        secrets.add(secret);
        try {
            String decoded = URLDecoder.decode(secret, StandardCharsets.UTF_8);
            if (!decoded.isEmpty() && !decoded.equals(secret)) {
                secrets.add(decoded);
            }
        } catch (IllegalArgumentException malformed) {
            // Not percent-encoded: the secret as written is all a driver could have used.
        }
    }
}
