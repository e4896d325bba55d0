package io.breakwater.breaker.internal;

import java.util.regex.Pattern;

/** Turns failures into short, safe text for reasons, snapshots, logs and the status topic. */
public final class Failures {

    /** Longest description kept. */
    public static final int MAX_LENGTH = 500;

    // key=value or key: value where the key names a secret (Kafka's password settings among them: ssl.key.password,
    // ssl.keystore.key, sasl.jaas.config, sasl.oauthbearer.assertion.private.key.passphrase, ...client.secret); the
    // value is masked whole when quoted (backslash escapes included, to the end of the text if never closed), else up
    // to a separator.
    private static final Pattern SECRET_ASSIGNMENT = Pattern.compile(
            "(?i)((?:password|passwd|passphrase|secret|token|api[_.-]?key|private[_.-]?key|credentials?"
                    + "|sasl\\.jaas\\.config|keystore\\.key)[\"']?\\s*[=:]\\s*)"
                    + "(\"(?:[^\"\\\\]|\\\\.)*\"?|'(?:[^'\\\\]|\\\\.)*'?|[^\\s,;&]+)");
    // A PEM private key, whole (to the end of the text if it has no END line).
    private static final Pattern PEM_PRIVATE_KEY = Pattern.compile(
            "-----BEGIN ([A-Z0-9 ]*)PRIVATE KEY-----.*?(?:-----END [A-Z0-9 ]*PRIVATE KEY-----|\\z)", Pattern.DOTALL);
    // user:password@host in URIs; the password up to the last '@' before a space, as it may hold '@' or '/' itself.
    private static final Pattern URI_CREDENTIALS = Pattern.compile("(?i)([a-z][a-z0-9+.-]*://[^/\\s:@]*:)\\S*@");
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
        String s = PEM_PRIVATE_KEY.matcher(text).replaceAll("-----BEGIN $1PRIVATE KEY-----****");
        s = SECRET_ASSIGNMENT.matcher(s).replaceAll("$1****");
        s = URI_CREDENTIALS.matcher(s).replaceAll("$1****@");
        s = BEARER.matcher(s).replaceAll("$1****");
        s = s.replaceAll("\\p{Cntrl}", " ");
        return s.length() <= MAX_LENGTH ? s : s.substring(0, MAX_LENGTH - 1) + "…";
    }
}
