package io.breakwater.spill.internal;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Headers as a flat JSON object, {@code {"name":"value","other":null}}, in the order given. Writes only
 * ASCII: control characters, {@code "}, {@code \}, and everything outside ASCII are escaped as RFC 8259 says,
 * so the text survives any column encoding (PostgreSQL text cannot hold a NUL; this never writes one).
 * Reads any JSON object of strings and nulls.
 */
final class HeadersJson {

    private HeadersJson() {
    }

    static String write(Map<String, String> headers) {
        StringBuilder out = new StringBuilder(16 + 32 * headers.size()).append('{');
        for (Map.Entry<String, String> header : headers.entrySet()) {
            if (out.length() > 1) {
                out.append(',');
            }
            string(out, header.getKey());
            out.append(':');
            if (header.getValue() == null) {
                out.append("null");
            } else {
                string(out, header.getValue());
            }
        }
        return out.append('}').toString();
    }

    /** The headers in {@code json}; an {@link IllegalArgumentException} says where it is malformed. */
    static Map<String, String> read(String json) {
        Reader in = new Reader(json);
        Map<String, String> headers = new LinkedHashMap<>();
        in.expect('{');
        if (!in.skipIf('}')) {
            do {
                String name = in.string();
                in.expect(':');
                String value = in.skipWord("null") ? null : in.string();
                if (headers.containsKey(name)) {
                    throw in.error("header " + name + " appears twice");
                }
                headers.put(name, value);
            } while (in.skipIf(','));
            in.expect('}');
        }
        in.end();
        return Collections.unmodifiableMap(headers);
    }

    private static void string(StringBuilder out, String text) {
        out.append('"');
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c == '"' || c == '\\') {
                out.append('\\').append(c);
            } else if (c >= 0x20 && c < 0x7f) {
                out.append(c);
            } else {
                out.append("\\u");
                for (int shift = 12; shift >= 0; shift -= 4) {
                    out.append(Character.forDigit((c >> shift) & 0xf, 16));
                }
            }
        }
        out.append('"');
    }

    private static final class Reader {

        private final String text;
        private int at;

        Reader(String text) {
            this.text = text;
        }

        void expect(char c) {
            if (!skipIf(c)) {
                throw error("expected '" + c + "'");
            }
        }

        boolean skipIf(char c) {
            skipSpace();
            if (at < text.length() && text.charAt(at) == c) {
                at++;
                return true;
            }
            return false;
        }

        boolean skipWord(String word) {
            skipSpace();
            if (text.startsWith(word, at)) {
                at += word.length();
                return true;
            }
            return false;
        }

        String string() {
            expect('"');
            StringBuilder out = new StringBuilder();
            while (true) {
                if (at >= text.length()) {
                    throw error("unterminated string");
                }
                char c = text.charAt(at++);
                if (c == '"') {
                    return out.toString();
                }
                if (c < 0x20) {
                    throw error("unescaped control character");
                }
                out.append(c == '\\' ? escaped() : c);
            }
        }

        private char escaped() {
            if (at >= text.length()) {
                throw error("unterminated escape");
            }
            char c = text.charAt(at++);
            switch (c) {
                case '"', '\\', '/' -> {
                    return c;
                }
                case 'b' -> {
                    return '\b';
                }
                case 'f' -> {
                    return '\f';
                }
                case 'n' -> {
                    return '\n';
                }
                case 'r' -> {
                    return '\r';
                }
                case 't' -> {
                    return '\t';
                }
                case 'u' -> {
                    if (at + 4 > text.length()) {
                        throw error("short \\u escape");
                    }
                    int code = 0;
                    for (int i = 0; i < 4; i++) {
                        int digit = Character.digit(text.charAt(at++), 16);
                        if (digit < 0) {
                            throw error("bad \\u escape");
                        }
                        code = code * 16 + digit;
                    }
                    return (char) code;
                }
                default -> throw error("bad escape \\" + c);
            }
        }

        void end() {
            skipSpace();
            if (at != text.length()) {
                throw error("text after the object");
            }
        }

        private void skipSpace() {
            while (at < text.length() && " \t\r\n".indexOf(text.charAt(at)) >= 0) {
                at++;
            }
        }

        IllegalArgumentException error(String problem) {
            return new IllegalArgumentException("malformed headers JSON at character " + at + ": " + problem);
        }
    }
}
