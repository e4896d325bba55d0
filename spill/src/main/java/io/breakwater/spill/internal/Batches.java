package io.breakwater.spill.internal;

import io.breakwater.spill.SpilledEvent;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;

/** What an append checks of its events, before it takes the store's lock. */
final class Batches {

    private Batches() {
    }

    /**
     * Checks the events of an append before the store's lock is taken: none null, no eventId twice, no NUL where
     * {@code store} cannot hold one (unless {@code textHoldsNul}). Returns their bytes.
     */
    static long checked(List<SpilledEvent> events, boolean textHoldsNul, String store) {
        Objects.requireNonNull(events, "events");
        Set<String> ids = new HashSet<>(events.size() * 2);
        long bytes = 0;
        for (int i = 0; i < events.size(); i++) {
            SpilledEvent event = events.get(i);
            if (event == null) {
                throw new NullPointerException("events[" + i + "] is null");
            }
            if (!ids.add(event.eventId())) {
                throw new IllegalArgumentException("events holds eventId " + event.eventId() + " twice, the second at events["
                        + i + "]; an event is appended once");
            }
            if (!textHoldsNul && hasNul(event)) {
                throw new IllegalArgumentException("events[" + i + "] (eventId " + event.eventId().replace('\0', '?')
                        + ") has the character NUL (U+0000) in its eventId, stream, topic or key, which "
                        + store + " cannot hold (PostgreSQL text)");
            }
            bytes += event.sizeBytes();
        }
        return bytes;
    }

    private static boolean hasNul(SpilledEvent e) {
        return e.eventId().indexOf('\0') >= 0 || e.stream().indexOf('\0') >= 0 || e.topic().indexOf('\0') >= 0
                || e.key() != null && e.key().indexOf('\0') >= 0;
    }
}
