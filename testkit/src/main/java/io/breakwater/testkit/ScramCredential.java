package io.breakwater.testkit;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.util.Base64;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * A SCRAM-SHA-512 credential as the storage formatter takes it, salted here: {@code SCRAM-SHA-512=[name="...",
 * salt="...",saltedpassword="...",iterations=4096]}. The formatter splits its argument at every comma and has no
 * way to escape one, so a password given to it as {@code password="..."} could hold no comma; salted here, it
 * reaches the formatter as Base64, and any password works (Kafka's SCRAM takes a password's UTF-8 bytes as they
 * are, with no normalization).
 */
final class ScramCredential {

    static final String LOGIN_MODULE = "org.apache.kafka.common.security.scram.ScramLoginModule";
    static final int ITERATIONS = 4096;
    private static final String HMAC = "HmacSHA512";
    private static final SecureRandom RANDOM = new SecureRandom();

    private ScramCredential() {
    }

    /** The formatter argument for {@code user} with {@code password}, under a fresh random salt. */
    static String formatterArgument(String mechanism, String user, String password) {
        byte[] salt = new byte[32];
        RANDOM.nextBytes(salt);
        Base64.Encoder base64 = Base64.getEncoder();
        return mechanism + "=[name=\"" + user + "\",salt=\"" + base64.encodeToString(salt) + "\",saltedpassword=\""
                + base64.encodeToString(saltedPassword(password, salt, ITERATIONS)) + "\",iterations=" + ITERATIONS + "]";
    }

    /**
     * The {@code sasl.jaas.config} of a client that logs in as {@code user}. Kafka reads it with a
     * {@code StreamTokenizer}: in a quoted value a backslash escapes the next character, and a line break ends the
     * value unless escaped.
     */
    static String jaasConfig(String user, String password) {
        return LOGIN_MODULE + " required username=\"" + jaasEscaped(user) + "\" password=\"" + jaasEscaped(password) + "\";";
    }

    private static String jaasEscaped(String value) {
        return value.replace("\\", "\\\\").replace("\"", "\\\"").replace("\n", "\\n").replace("\r", "\\r");
    }

    /** 24 letters and digits, none easily mistaken for another. */
    static String randomPassword() {
        String alphabet = "ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz23456789";
        StringBuilder b = new StringBuilder();
        for (int i = 0; i < 24; i++) {
            b.append(alphabet.charAt(RANDOM.nextInt(alphabet.length())));
        }
        return b.toString();
    }

    /** RFC 5802's {@code Hi(password, salt, iterations)}, with HMAC-SHA-512 and the password's UTF-8 bytes as the key. */
    static byte[] saltedPassword(String password, byte[] salt, int iterations) {
        try {
            Mac mac = Mac.getInstance(HMAC);
            mac.init(new SecretKeySpec(password.getBytes(StandardCharsets.UTF_8), HMAC));
            mac.update(salt);
            byte[] u = mac.doFinal(new byte[] {0, 0, 0, 1});
            byte[] result = u.clone();
            for (int i = 1; i < iterations; i++) {
                u = mac.doFinal(u);
                for (int j = 0; j < result.length; j++) {
                    result[j] ^= u[j];
                }
            }
            return result;
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("could not salt a SCRAM password: " + e.getClass().getName(), e);
        }
    }
}
