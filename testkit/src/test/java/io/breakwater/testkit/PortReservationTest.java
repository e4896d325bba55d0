package io.breakwater.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.net.ConnectException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

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
    void aFreshPortStaysClaimedAfterItsReleaseSoNoOtherReservationPicksItWhileItsNodeRestarts() throws IOException {
        PortReservation ports = PortReservation.fresh(3);
        ports.release();   // as before a restart: the new broker JVM is about to bind them
        for (int port : ports.ports()) {
            assertThat(PortReservation.claim(port)).as("port %d, claimed by this JVM for its life (a file lock other JVMs "
                    + "see)", port).isFalse();
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

    @Test
    void freshPortsLieOutsideTheKernelsEphemeralRangeWhereItIsKnown() throws IOException {
        // The bug: a node restarting on its ports found one taken, as a source port the kernel had given to some
        // connection while the node was down. The kernel gives out source ports from its ephemeral range only.
        int[] range = PortReservation.nonEphemeral(Path.of("/proc/sys/net/ipv4/ip_local_port_range"));
        assumeTrue(range != null, "the kernel's ephemeral port range is not known here");
        String[] ephemeral = String.join(" ", Files.readAllLines(Path.of("/proc/sys/net/ipv4/ip_local_port_range"))).trim()
                .split("\\s+");
        int low = Integer.parseInt(ephemeral[0]);
        int high = Integer.parseInt(ephemeral[1]);
        PortReservation ports = PortReservation.fresh(9);
        try {
            assertThat(ports.ports()).allSatisfy(port -> assertThat(port < low || port > high)
                    .as("port %d outside %d-%d", port, low, high).isTrue());
            assertThat(new HashSet<>(ports.ports())).hasSize(9);
        } finally {
            ports.release();
        }
    }

    @Test
    void theRangeOutsideTheEphemeralOneIsBelowItAboveItOrUnknown(@TempDir Path dir) throws IOException {
        Path file = dir.resolve("range");
        Files.writeString(file, "32768\t60999\n");
        assertThat(PortReservation.nonEphemeral(file)).containsExactly(20_000, 32_767);
        Files.writeString(file, "1024 50000");
        assertThat(PortReservation.nonEphemeral(file)).containsExactly(50_001, 65_535);
        Files.writeString(file, "20500 60999");
        assertThat(PortReservation.nonEphemeral(file)).as("too few below, some above").containsExactly(61_000, 65_535);
        Files.writeString(file, "1024 65000");
        assertThat(PortReservation.nonEphemeral(file)).as("too few ports either side").isNull();
        Files.writeString(file, "not a range");
        assertThat(PortReservation.nonEphemeral(file)).isNull();
        assertThat(PortReservation.nonEphemeral(dir.resolve("missing"))).isNull();
    }

    private static InetSocketAddress loopback(int port) {
        return new InetSocketAddress(InetAddress.getLoopbackAddress(), port);
    }
}
