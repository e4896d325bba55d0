package io.breakwater.interceptors.internal;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The options of a {@code sasl.jaas.config} value ({@code LoginModule flag name=value ... ;}), read without
 * ever showing the text: values are bare words or double-quoted strings with backslash escapes, as Kafka's own
 * parser reads them. Text it cannot read gives no options, never an exception (whose message could repeat it).
 */
public final class JaasOptions {

    private final Map<String, String> options;

    private JaasOptions(Map<String, String> options) {
        this.options = options;
    }

    /** The options of {@code jaasConfig} (a String, or Kafka's {@code Password}); none for null or unreadable text. */
    public static JaasOptions of(Object jaasConfig) {
        String text = SecretValues.text(jaasConfig);
        if (text == null) {
            return new JaasOptions(Map.of());
        }
        List<String> tokens = tokens(text);
        Map<String, String> options = new LinkedHashMap<>();
        for (int i = 0; i + 2 < tokens.size(); i++) {
            if ("=".equals(tokens.get(i + 1)) && isWord(tokens.get(i))) {
                options.putIfAbsent(tokens.get(i), unquoted(tokens.get(i + 2)));
                i += 2;
            }
        }
        return new JaasOptions(options);
    }

    /** The value of option {@code name}, or null. */
    public String get(String name) {
        return options.get(name);
    }

    /** The values of the options whose names say they are secrets ({@code password}, {@code clientSecret}...). */
    public List<String> secretValues() {
        List<String> secrets = new ArrayList<>();
        options.forEach((name, value) -> {
            String n = name.toLowerCase(java.util.Locale.ROOT);
            if (n.contains("password") || n.contains("secret")) {
                secrets.add(value);
            }
        });
        return secrets;
    }

    // A token is '=' or ';', a quoted string (kept with a leading '"' to tell it from a word), or a word.
    private static List<String> tokens(String text) {
        List<String> tokens = new ArrayList<>();
        int i = 0;
        while (i < text.length()) {
            char c = text.charAt(i);
            if (Character.isWhitespace(c)) {
                i++;
            } else if (c == '=' || c == ';') {
                tokens.add(String.valueOf(c));
                i++;
            } else if (c == '"') {
                StringBuilder value = new StringBuilder("\"");
                i++;
                while (i < text.length() && text.charAt(i) != '"') {
                    if (text.charAt(i) == '\\' && i + 1 < text.length()) {
                        i++;
                    }
                    value.append(text.charAt(i++));
                }
                i++; // the closing quote, if any
                tokens.add(value.toString());
            } else {
                int start = i;
                while (i < text.length() && !Character.isWhitespace(text.charAt(i)) && "=;\"".indexOf(text.charAt(i)) < 0) {
                    i++;
                }
                tokens.add(text.substring(start, i));
            }
        }
        return tokens;
    }

    private static boolean isWord(String token) {
        return !token.isEmpty() && !token.startsWith("\"") && !token.equals("=") && !token.equals(";");
    }

    private static String unquoted(String token) {
        return token.startsWith("\"") ? token.substring(1) : token;
    }
}
