package io.breakwater.testkit;

import java.io.IOException;

/** Where a broker's ports come from: fresh held ports, or in tests, ports someone takes away. */
@FunctionalInterface
interface PortSource {

    /** Fresh ports picked by the kernel and held until released ({@link PortReservation#fresh}). */
    PortSource FRESH = PortReservation::fresh;

    PortReservation reserve(int count) throws IOException;
}
