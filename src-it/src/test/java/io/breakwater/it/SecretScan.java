package io.breakwater.it;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Looks for known secrets in text: each secret as it is, percent-encoded, JSON-escaped and escaped as in
 * {@code sasl.jaas.config}, and its first and last 8 characters (a secret cut short, masked only in part, or split
 * by a parser, still shows them). A hit is reported by where it was found and what it is, with the text around it masked: this class never
 * hands back a secret, so a failing test prints none.
 */
final class SecretScan {

    /** One occurrence of a secret: where, which secret and form, and the masked text around it. */
    record Hit(String source, String secret, int offset, String maskedContext) {
        @Override
        public String toString() {
            return secret + " in " + source + " at " + offset + ": ..." + maskedContext + "...";
        }
    }

    private static final int CORE = 8;

    // Every searched form of every secret, longest first, to its label ("SASL password, percent-encoded").
    private final Map<String, String> forms = new LinkedHashMap<>();
    private final List<Hit> hits = new ArrayList<>();
    private long scannedChars;
    private final List<String> sources = new ArrayList<>();

    /** Scans for {@code secrets}: label to value (each at least {@value #CORE} characters). */
    SecretScan(Map<String, String> secrets) {
        this(secrets, Map.of());
    }

    /**
     * Scans for {@code secrets}, and for {@code wholeOnly} without their first characters alone (a
     * {@code sasl.jaas.config} begins with a class name that is no secret; the password inside it is one of
     * {@code secrets}).
     */
    SecretScan(Map<String, String> secrets, Map<String, String> wholeOnly) {
        Map<String, String> all = new LinkedHashMap<>();
        wholeOnly.forEach((label, secret) -> {
            all.putIfAbsent(secret, label);
            all.putIfAbsent(json(secret), label + ", JSON-escaped");
        });
        secrets.forEach((label, secret) -> {
            if (secret.length() < CORE) {
                throw new IllegalArgumentException(label + " is shorter than " + CORE + " characters: too easily found by chance");
            }
            all.putIfAbsent(secret, label);
            all.putIfAbsent(URLEncoder.encode(secret, StandardCharsets.UTF_8), label + ", form-encoded");
            all.putIfAbsent(URLEncoder.encode(secret, StandardCharsets.UTF_8).replace("+", "%20"), label + ", percent-encoded");
            all.putIfAbsent(json(secret), label + ", JSON-escaped");
            all.putIfAbsent(secret.replace("\\", "\\\\").replace("\"", "\\\""), label + ", JAAS-escaped");
            all.putIfAbsent(secret.substring(0, CORE), label + ", its first " + CORE + " characters");
            all.putIfAbsent(secret.substring(secret.length() - CORE), label + ", its last " + CORE + " characters");
        });
        all.entrySet().stream().sorted((a, b) -> b.getKey().length() - a.getKey().length())
                .forEach(e -> forms.put(e.getKey(), e.getValue()));
    }

    private static String json(String text) {
        try {
            String quoted = new ObjectMapper().writeValueAsString(text);
            return quoted.substring(1, quoted.length() - 1);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Scans {@code text}, found in {@code source} (a name for the report: "child output", "topic x offset 3"). */
    SecretScan scan(String source, String text) {
        if (text == null) {
            return this;
        }
        scannedChars += text.length();
        sources.add(source);
        forms.forEach((form, label) -> {
            for (int at = text.indexOf(form); at >= 0; at = text.indexOf(form, at + 1)) {
                hits.add(new Hit(source, label, at, masked(text, at, form.length())));
            }
        });
        return this;
    }

    /** Scans the bytes as UTF-8 and as ISO-8859-1 (a secret in a binary file's own encoding). */
    SecretScan scan(String source, byte[] bytes) {
        if (bytes == null) {
            return this;
        }
        scan(source, new String(bytes, StandardCharsets.UTF_8));
        return scan(source + " (as ISO-8859-1)", new String(bytes, StandardCharsets.ISO_8859_1));
    }

    // 40 characters either side; every character of any secret form there (even one that starts or ends outside
    // the window) shown as '*', control characters as spaces.
    private String masked(String text, int at, int length) {
        int from = Math.max(0, at - 40);
        int to = Math.min(text.length(), at + length + 40);
        int longest = forms.keySet().stream().mapToInt(String::length).max().orElse(0);
        int regionFrom = Math.max(0, from - longest);
        String region = text.substring(regionFrom, Math.min(text.length(), to + longest));
        boolean[] covered = new boolean[region.length()];
        for (String form : forms.keySet()) {
            for (int i = region.indexOf(form); i >= 0; i = region.indexOf(form, i + 1)) {
                java.util.Arrays.fill(covered, i, i + form.length(), true);
            }
        }
        StringBuilder shown = new StringBuilder();
        for (int i = from; i < to; i++) {
            char c = text.charAt(i);
            shown.append(covered[i - regionFrom] ? '*' : Character.isISOControl(c) ? ' ' : c);
        }
        return shown.toString();
    }

    /** {@code text} with every form of every secret replaced by {@code <label>}. */
    String mask(String text) {
        String masked = text;
        for (Map.Entry<String, String> form : forms.entrySet()) {
            masked = masked.replace(form.getKey(), "<" + form.getValue() + ">");
        }
        return masked;
    }

    List<Hit> hits() {
        return List.copyOf(hits);
    }

    long scannedChars() {
        return scannedChars;
    }

    List<String> sources() {
        return List.copyOf(sources);
    }
}
