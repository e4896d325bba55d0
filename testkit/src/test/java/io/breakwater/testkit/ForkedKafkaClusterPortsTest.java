package io.breakwater.testkit;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class ForkedKafkaClusterPortsTest {

    private static final int INTERNAL = 1;

    private final List<ServerSocket> thieves = new CopyOnWriteArrayList<>();
    private final AtomicInteger reservations = new AtomicInteger();

    @AfterEach
    void closeThieves() throws IOException {
        for (ServerSocket thief : thieves) {
            thief.close();
        }
    }

    @Test
    void aClusterWhoseNodeLostAPortKillsTheNodesWaitingForItAndStartsOnFreshPorts() {
        PortSource losingTheFirst = size -> {
            PortReservation ports = PortReservation.fresh(size);
            if (reservations.incrementAndGet() > 1) {
                return ports;
            }
            return new PortReservation(ports.ports(), () -> {
                ports.release();
                thieves.add(new ServerSocket(ports.port(INTERNAL), 50, InetAddress.getLoopbackAddress()));
            });
        };
        long started = System.nanoTime();
        // Node 1 would wait for node 0 (a quorum of two) until its start timeout of 300 s, were it not killed.
        try (ForkedKafkaCluster kafka = ForkedKafkaCluster.builder().nodes(2).heapMegabytes(256).portSource(losingTheFirst)
                .startTimeout(Duration.ofSeconds(300)).start()) {
            assertThat((System.nanoTime() - started) / 1e9).as("seconds to start (about 10)").isLessThan(100);
            assertThat(reservations).hasValue(4);
            assertThat(kafka.isAlive(0)).isTrue();
            assertThat(kafka.isAlive(1)).isTrue();
            assertThat(ProcessHandle.current().children().filter(ProcessHandle::isAlive)
                    .filter(p -> p.info().command().orElse("").endsWith("java")).count())
                    .as("broker JVMs running: the first attempt's are gone").isEqualTo(2);
        }
    }
}
