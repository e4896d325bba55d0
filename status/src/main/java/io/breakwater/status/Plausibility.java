package io.breakwater.status;

import java.time.Duration;
import java.time.Instant;

/**
 * Whether a message read from the status topic can be taken as it says. Every instance may write to the topic, so a
 * record may carry another key's body (a broken or rogue writer), or times far ahead (a clock set wrong at boot): a
 * message newer than anything real would hold its key for good, in every reader and at every restore, since no
 * real event is newer in time.
 */
final class Plausibility {

    /** How far ahead of the reader's clock a message's times may be: clocks that NTP keeps differ by far less. */
    static final Duration AHEAD = Duration.ofMinutes(5);

    private Plausibility() {
    }

    /**
     * Why {@code message}, read under {@code recordKey} at {@code now}, cannot be taken; null when it can. With
     * {@code now} null its times are not judged (a reader that shows the fleet: a reader's clock behind would hide
     * every instance, and a time far ahead pins only what is shown).
     */
    static String doubt(StatusMessage message, String recordKey, Instant now) {
        if (recordKey != null && !recordKey.equals(message.key())) {
            return "its key '" + io.breakwater.breaker.Throwables.sanitize(recordKey) + "' is not its body's ('"
                    + io.breakwater.breaker.Throwables.sanitize(message.key()) + "')";
        }
        if (now == null) {
            return null;
        }
        Instant latest = now.plus(AHEAD);
        if (message.at().isAfter(latest)) {
            return "its time " + message.at() + " is more than " + AHEAD.toMinutes() + " minutes ahead of this clock ("
                    + now + ")";
        }
        if (message instanceof StatusEvent event && event.since().isAfter(latest)) {
            return "its since " + event.since() + " is more than " + AHEAD.toMinutes() + " minutes ahead of this clock ("
                    + now + ")";
        }
        return null;
    }
}
