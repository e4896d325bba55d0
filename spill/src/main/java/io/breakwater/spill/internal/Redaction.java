package io.breakwater.spill.internal;

import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Takes secrets out of text and exceptions before they reach a message or a log: each password becomes
 * {@code ****}, each URL with credentials its {@link JdbcUrl#withoutCredentials(String) shown form}. Drivers
 * echo URLs in their messages ({@code No suitable driver found for <url>}), so an exception whose chain
 * mentions a secret is replaced by a copy that does not: the same classes' names, SQL states, vendor codes
 * and stack traces, with the text redacted.
 */
public final class Redaction {

    private static final int MAX_CAUSES = 32;

    // Longest first, so that a URL is replaced whole before the password inside it.
    private final Map<String, String> replacements;

    private Redaction(Map<String, String> replacements) {
        this.replacements = replacements;
    }

    /** Nothing to redact. */
    public static Redaction none() {
        return new Redaction(Map.of());
    }

    /** Redacts the password, the credentials in each URL, and each URL as written. Nulls are skipped. */
    public static Redaction of(String password, String... urls) {
        List<Map.Entry<String, String>> pairs = new ArrayList<>();
        for (String url : urls) {
            if (url != null) {
                String shown = JdbcUrl.withoutCredentials(url);
                if (!shown.equals(url)) {
                    pairs.add(Map.entry(url, shown));
                }
                JdbcUrl.secrets(url).forEach(secret -> pairs.add(Map.entry(secret, "****")));
            }
        }
        if (password != null && !password.isEmpty()) {
            pairs.add(Map.entry(password, "****"));
        }
        pairs.sort(Comparator.comparingInt((Map.Entry<String, String> e) -> e.getKey().length()).reversed());
        Map<String, String> replacements = new LinkedHashMap<>();
        pairs.forEach(e -> replacements.putIfAbsent(e.getKey(), e.getValue()));
        return new Redaction(replacements);
    }

    /**
     * Redacts each JDBC URL that the messages of {@code error}'s chain hold (a driver echoes the URL it was given, with
     * the credentials in it): for an error whose URL is not known beforehand, as a data source's.
     */
    public static Redaction ofUrlsIn(Throwable error) {
        List<String> urls = new ArrayList<>();
        int depth = 0;
        for (Throwable t = error; t != null && depth++ < MAX_CAUSES; t = t.getCause()) {
            java.util.regex.Matcher url = JDBC_URL.matcher(String.valueOf(t.getMessage()));
            while (url.find()) {
                urls.add(url.group());
            }
        }
        return of(null, urls.toArray(String[]::new));
    }

    // A JDBC URL in a message, taken to the end of its line: a password may hold spaces or brackets, and a URL the driver
    // could not parse is the one it echoes; the whole of it is replaced, whatever follows it on the line.
    private static final java.util.regex.Pattern JDBC_URL = java.util.regex.Pattern.compile("jdbc:[^\\r\\n]+");

    /** {@code text} with every secret replaced; null stays null. */
    public String apply(String text) {
        if (text == null) {
            return null;
        }
        for (Map.Entry<String, String> e : replacements.entrySet()) {
            text = text.replace(e.getKey(), e.getValue());
        }
        return text;
    }

    /** {@code error} itself when no text in its chain holds a secret, else a redacted copy of the chain. */
    public Throwable apply(Throwable error) {
        return leaks(error) ? copy(error, 0) : error;
    }

    /** As {@link #apply(Throwable)}, for an {@link SQLException}. */
    SQLException apply(SQLException error) {
        return (SQLException) apply((Throwable) error);
    }

    private boolean leaks(Throwable error) {
        int depth = 0;
        for (Throwable t = error; t != null && depth++ < MAX_CAUSES; t = t.getCause()) {
            String text = t.toString();
            if (!apply(text).equals(text)) {
                return true;
            }
        }
        return false;
    }

    private Throwable copy(Throwable error, int depth) {
        Throwable cause = error.getCause() == null || depth >= MAX_CAUSES ? null : copy(error.getCause(), depth + 1);
        SQLException sql = error instanceof SQLException e ? e : null;
        Redacted copy = new Redacted(error.getClass().getName(), apply(error.getMessage()),
                sql == null ? null : sql.getSQLState(), sql == null ? 0 : sql.getErrorCode(), cause);
        copy.setStackTrace(error.getStackTrace());
        return copy;
    }

    /** A redacted copy of another exception, which reads as that exception did. */
    static final class Redacted extends SQLException {

        private static final long serialVersionUID = 1L;

        private final String originalClass;

        Redacted(String originalClass, String message, String sqlState, int vendorCode, Throwable cause) {
            super(message, sqlState, vendorCode, cause);
            this.originalClass = originalClass;
        }

        @Override
        public String toString() {
            return originalClass + " (redacted)" + (getMessage() == null ? "" : ": " + getMessage());
        }
    }
}
