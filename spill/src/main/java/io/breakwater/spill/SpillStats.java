package io.breakwater.spill;

/**
 * What a spill holds: a snapshot, cheap to take.
 *
 * @param events                the number of events held
 * @param bytes                 their {@link SpilledEvent#sizeBytes()}, summed
 * @param oldestSpilledAtMillis the smallest {@link SpilledEvent#spilledAtMillis()} held, or -1 when empty
 */
public record SpillStats(long events, long bytes, long oldestSpilledAtMillis) {

    /** The stats of an empty spill. */
    public static final SpillStats EMPTY = new SpillStats(0, 0, -1);

    /** Checks that the counts are not negative, and that an empty spill has no oldest event. */
    public SpillStats {
        if (events < 0 || bytes < 0 || oldestSpilledAtMillis < -1) {
            throw new IllegalArgumentException("events, bytes must be >= 0 and oldestSpilledAtMillis >= -1, but were "
                    + events + ", " + bytes + ", " + oldestSpilledAtMillis);
        }
        if (events == 0 && (bytes != 0 || oldestSpilledAtMillis != -1)) {
            throw new IllegalArgumentException("an empty spill has 0 bytes and oldestSpilledAtMillis -1, but had "
                    + bytes + ", " + oldestSpilledAtMillis);
        }
    }

    /** Whether no event is held. */
    public boolean isEmpty() {
        return events == 0;
    }
}
