package io.breakwater.spill;

/**
 * An append would have taken a store past one of its limits, so nothing was appended. The message names the
 * limit, its value, what the store holds and what the append asked for.
 */
public class SpillFullException extends SpillException {

    private static final long serialVersionUID = 1L;

    private final String limit;
    private final long limitValue;
    private final SpillStats held;
    private final long appendEvents;
    private final long appendBytes;

    /**
     * @param store        {@link SpillStore#describe()}
     * @param limit        {@code "maxEvents"} or {@code "maxBytes"}
     * @param limitValue   the value of that limit
     * @param held         what the store holds
     * @param appendEvents the number of events the refused append brought
     * @param appendBytes  their {@link SpilledEvent#sizeBytes()}, summed
     */
    public SpillFullException(String store, String limit, long limitValue, SpillStats held, long appendEvents,
                              long appendBytes) {
        super(store, "Spill " + store + " is full: " + limit + " is " + limitValue + ", it holds " + held.events()
                + " event(s) of " + held.bytes() + " bytes, and the append brought " + appendEvents + " event(s) of "
                + appendBytes + " bytes. Nothing was appended", null);
        this.limit = limit;
        this.limitValue = limitValue;
        this.held = held;
        this.appendEvents = appendEvents;
        this.appendBytes = appendBytes;
    }

    /** The limit the append would have passed: {@code "maxEvents"} or {@code "maxBytes"}. */
    public String limit() {
        return limit;
    }

    /** The value of {@link #limit()}. */
    public long limitValue() {
        return limitValue;
    }

    /** What the store held when it refused. */
    public SpillStats held() {
        return held;
    }

    /** The number of events the refused append brought. */
    public long appendEvents() {
        return appendEvents;
    }

    /** The bytes the refused append brought. */
    public long appendBytes() {
        return appendBytes;
    }
}
