package io.breakwater.eventbus.internal;

import java.util.concurrent.atomic.LongAdder;

/** What the cut-overs of one spill's streams hold now and have done, for the spill's status. Thread-safe. */
final class CutOverStats {

    // Events held in memory now, and their bytes.
    final LongAdder heldEvents = new LongAdder();
    final LongAdder heldBytes = new LongAdder();
    // Cut-overs begun and given up (their events sent to the spill) since the bus started.
    final LongAdder begun = new LongAdder();
    final LongAdder givenUp = new LongAdder();

    void held(int events, long bytes) {
        heldEvents.add(events);
        heldBytes.add(bytes);
    }
}
