package io.breakwater.breaker.internal;

import java.util.regex.Pattern;

/** Turns failures into short, safe text for reasons, snapshots, logs and the status topic. */
public final class Failures {

    /** Longest description kept. */
    public static final int MAX_LENGTH = 500;

    // key=value or key: value where the key names a secret; the value is masked up to a separator.
    private static final Pattern SECRET_ASSIGNMENT = Pattern.compile(
            "(?i)((?:password|passwd|secret|token|api[_.-]?key|credentials?|sasl\\.jaas\\.config)[\"']?\\s*[=:]\\s*)"
                    + "(\"[^\"]*\"|'[^']*'|[^\\s,;&]+)");
    // user:password@host in URIs.
    private static final Pattern URI_CREDENTIALS = Pattern.compile("(?i)([a-z][a-z0-9+.-]*://[^/\\s:@]*:)[^@\\s/]+@");
    // Bearer tokens.
    private static final Pattern BEARER = Pattern.compile("(?i)(bearer\\s+)[a-z0-9._~+/=-]+");

    private Failures() {
    }

    /** "{@code fully.qualified.Class}: message", secrets masked, at most {@link #MAX_LENGTH} characters. */
    public static String describe(Throwable failure) {
        if (failure == null) {
            return null;
        }
        String message = failure.getMessage();
        String text = message == null ? failure.getClass().getName() : failure.getClass().getName() + ": " + message;
        return sanitize(text);
    }

    /** Masks secrets and truncates. */
    public static String sanitize(String text) {
        if (text == null) {
            return null;
        }
        String s = SECRET_ASSIGNMENT.matcher(text).replaceAll("$1****");
        s = URI_CREDENTIALS.matcher(s).replaceAll("$1****@");
        s = BEARER.matcher(s).replaceAll("$1****");
        s = s.replaceAll("\\p{Cntrl}", " ");
        return s.length() <= MAX_LENGTH ? s : s.substring(0, MAX_LENGTH - 1) + "…";
    }
}
