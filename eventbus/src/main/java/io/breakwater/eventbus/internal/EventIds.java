package io.breakwater.eventbus.internal;

import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.util.Arrays;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Unique event ids, cheap to make: a random 64-bit prefix drawn once per bus (16 hex digits and a dash), then a counter
 * in base 36. Two buses (or two runs of one application) share a prefix with a chance of 1 in 2^64. An id is made as the
 * bytes of its text, which is what its header carries; its text ({@link #text}) is made apart, for the caller's result.
 */
public final class EventIds {

    private static final byte[] DIGITS = "0123456789abcdefghijklmnopqrstuvwxyz".getBytes(StandardCharsets.US_ASCII);

    private final byte[] prefix;
    private final AtomicLong counter;

    public EventIds() {
        this(new SecureRandom().nextLong(), 0);
    }

    /** Ids after {@code last}, with the prefix of {@code random}. */
    EventIds(long random, long last) {
        this.prefix = String.format("%016x-", random).getBytes(StandardCharsets.US_ASCII);
        this.counter = new AtomicLong(last);
    }

    /** The next id, as the ASCII bytes of its text: the prefix, then the counter in base 36 (as {@link Long#toString(long, int)}). */
    public byte[] next() {
        long n = counter.incrementAndGet();
        int digits = 1;
        for (long m = n / 36; m > 0; m /= 36) {
            digits++;
        }
        byte[] id = Arrays.copyOf(prefix, prefix.length + digits);
        for (int i = id.length - 1; i >= prefix.length; i--) {
            id[i] = DIGITS[(int) (n % 36)];
            n /= 36;
        }
        return id;
    }

    /** The text of an id from {@link #next()}. */
    public static String text(byte[] id) {
        return new String(id, StandardCharsets.ISO_8859_1);
    }
}
