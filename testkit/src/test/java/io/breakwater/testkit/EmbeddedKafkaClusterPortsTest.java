package io.breakwater.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Ports another process takes between their reservation and the broker's bind. */
class EmbeddedKafkaClusterPortsTest {

    private static final int CONTROLLER = 0;
    private static final int INTERNAL = 1;

    private final List<ServerSocket> thieves = new CopyOnWriteArrayList<>();
    private final List<PortReservation> reservations = new CopyOnWriteArrayList<>();

    @AfterEach
    void closeThieves() throws IOException {
        for (ServerSocket thief : thieves) {
            thief.close();
        }
    }

    /** Fresh ports; the first {@code times} reservations lose port {@code index} to a listener of the test's on release. */
    private PortSource losing(int index, int times) {
        AtomicInteger count = new AtomicInteger();
        return size -> {
            PortReservation ports = PortReservation.fresh(size);
            PortReservation result = count.incrementAndGet() > times ? ports : new PortReservation(ports.ports(), () -> {
                ports.release();
                thieves.add(new ServerSocket(ports.port(index), 50, InetAddress.getLoopbackAddress()));
            });
            reservations.add(result);
            return result;
        };
    }

    @Test
    void aClusterThatLostAPortBeforeItsBrokerBoundItStartsOnFreshPorts() throws Exception {
        try (EmbeddedKafkaCluster kafka = EmbeddedKafkaCluster.builder().portSource(losing(INTERNAL, 1)).start()) {
            assertThat(kafka.admin().describeCluster().nodes().get(30, TimeUnit.SECONDS)).hasSize(1);
            assertThat(reservations).hasSize(2);
            assertThat(reservations.get(1).ports()).doesNotContain(thieves.get(0).getLocalPort());
        }
    }

    @Test
    void aClusterThatLosesAPortEveryTimeGivesUpNamingThePortsItTried() {
        assertThatThrownBy(() -> EmbeddedKafkaCluster.builder().portSource(losing(CONTROLLER, Integer.MAX_VALUE)).start())
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("in each of 3 attempts another socket took a port before the broker could bind it")
                .satisfies(e -> {
                    for (ServerSocket thief : thieves) {
                        assertThat(e.getMessage()).contains("CONTROLLER 127.0.0.1:" + thief.getLocalPort());
                    }
                });
        assertThat(thieves).hasSize(PortRetry.ATTEMPTS);
    }

    @Test
    void aStoppedNodeKeepsItsPortsUntilItStartsAgain() throws Exception {
        try (EmbeddedKafkaCluster kafka = EmbeddedKafkaCluster.builder().portSource(losing(CONTROLLER, 0)).start()) {
            List<Integer> ports = reservations.get(0).ports();
            kafka.stop(0);
            assertThat(PortReservation.taken(ports)).containsExactlyElementsOf(ports);
            kafka.start(0);
            assertThat(kafka.admin().describeCluster().nodes().get(30, TimeUnit.SECONDS)).hasSize(1);
        }
    }
}
