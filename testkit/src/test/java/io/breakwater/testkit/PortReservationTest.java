package io.breakwater.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.net.ConnectException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.HashSet;
import java.util.List;
import org.junit.jupiter.api.Test;

class PortReservationTest {

    @Test
    void portsReservedTogetherNeverCollideBecauseEachIsHeldUntilReleased() throws IOException {
        // The bug: each port was probed and closed before the next was picked, so two listeners of a node
        // could get the same port. Held ports are distinct, and nothing else can bind one before release().
        PortReservation ports = PortReservation.fresh(9);
        try {
            assertThat(new HashSet<>(ports.ports())).hasSize(9);
            assertThat(PortReservation.taken(ports.ports())).containsExactlyElementsOf(ports.ports());
        } finally {
            ports.release();
        }
        assertThat(PortReservation.taken(ports.ports())).isEmpty();
    }

    @Test
    void aHeldPortRefusesConnectionsAsAFreePortDoes() throws IOException {
        PortReservation ports = PortReservation.fresh(1);
        try (Socket client = new Socket()) {
            assertThatThrownBy(() -> client.connect(loopback(ports.port(0)), 5_000)).isInstanceOf(ConnectException.class);
        } finally {
            ports.release();
        }
    }

    @Test
    void releaseIsIdempotent() throws IOException {
        PortReservation ports = PortReservation.fresh(2);
        ports.release();
        ports.release();
        assertThat(PortReservation.taken(ports.ports())).isEmpty();
    }

    @Test
    void holdingPortsAgainSkipsThoseAnotherSocketTookMeanwhile() throws IOException {
        PortReservation first = PortReservation.fresh(2);
        first.release();
        try (ServerSocket other = new ServerSocket(first.port(0), 50, InetAddress.getLoopbackAddress())) {
            PortReservation again = PortReservation.again(first.ports());
            try {
                assertThat(again.ports()).isEqualTo(first.ports());
                assertThat(PortReservation.taken(List.of(first.port(1)))).containsExactly(first.port(1));
            } finally {
                again.release();
            }
            assertThat(PortReservation.taken(first.ports())).containsExactly(other.getLocalPort());
        }
    }

    private static InetSocketAddress loopback(int port) {
        return new InetSocketAddress(InetAddress.getLoopbackAddress(), port);
    }
}
