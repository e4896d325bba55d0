package io.breakwater.testkit;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class ForkedKafkaBrokerPortsTest {

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
    void aForkedBrokerThatLostAPortBeforeItsJvmBoundItStartsOnFreshPorts() {
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
        try (ForkedKafkaBroker broker = ForkedKafkaBroker.builder().portSource(losingTheFirst).start()) {
            assertThat(broker.isAlive()).isTrue();
            assertThat(reservations).hasValue(2);
            assertThat(broker.log()).contains(KafkaNodeMain.READY);
        }
    }
}
