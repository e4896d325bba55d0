package io.breakwater.testkit;

import java.io.IOException;

/** Where a broker's ports come from: fresh held ports, or in tests, ports someone takes away. */
@FunctionalInterface
interface PortSource {

    /** Fresh ports, held until released ({@link PortReservation#fresh}: outside the kernel's ephemeral range where it is known). */
    PortSource FRESH = PortReservation::fresh;

    PortReservation reserve(int count) throws IOException;
}
