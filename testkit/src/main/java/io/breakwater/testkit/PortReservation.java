package io.breakwater.testkit;

import java.io.Closeable;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.ArrayList;
import java.util.List;

/**
 * Loopback ports held for a broker until it binds them. Each port is held by a socket bound to it that
 * never listens: no other socket can bind the port, and a connection to it is refused as to a free port.
 * Ports reserved together are distinct, since they are all held at once; {@link #release()} frees them
 * just before the broker binds them.
 */
final class PortReservation {

    private final List<Integer> ports;
    private final Closeable holder;
    private boolean released; // guarded by `this`

    /** {@code ports}, freed by closing {@code holder}. */
    PortReservation(List<Integer> ports, Closeable holder) {
        this.ports = List.copyOf(ports);
        this.holder = holder;
    }

    /** {@code count} distinct ports picked by the kernel, held. */
    static PortReservation fresh(int count) throws IOException {
        List<Socket> sockets = new ArrayList<>();
        try {
            for (int i = 0; i < count; i++) {
                sockets.add(hold(0));
            }
        } catch (IOException e) {
            closeAll(sockets);
            throw e;
        }
        return new PortReservation(sockets.stream().map(Socket::getLocalPort).toList(), () -> closeAll(sockets));
    }

    /** {@code ports} held again, as far as they are still free (after their broker stopped, say). */
    static PortReservation again(List<Integer> ports) {
        List<Socket> sockets = new ArrayList<>();
        for (int port : ports) {
            try {
                sockets.add(hold(port));
            } catch (IOException e) {
                // Taken meanwhile: the broker will fail to bind it and say which port it was.
            }
        }
        return new PortReservation(ports, () -> closeAll(sockets));
    }

    List<Integer> ports() {
        return ports;
    }

    int port(int index) {
        return ports.get(index);
    }

    /** Frees the ports for the broker that is about to bind them. Idempotent. */
    void release() {
        synchronized (this) {
            if (released) {
                return;
            }
            released = true;
        }
        try {
            holder.close();
        } catch (IOException e) {
            throw new IllegalStateException("could not release ports " + ports, e);
        }
    }

    /** Those of {@code ports} that something else holds now: a listener could not bind them. */
    static List<Integer> taken(List<Integer> ports) {
        List<Integer> taken = new ArrayList<>();
        for (int port : ports) {
            // Bound as Kafka binds a listener (SO_REUSEADDR, as NIO server sockets have by default).
            try (ServerSocket probe = new ServerSocket()) {
                probe.setReuseAddress(true);
                probe.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 1);
            } catch (IOException e) {
                taken.add(port);
            }
        }
        return taken;
    }

    private static Socket hold(int port) throws IOException {
        Socket socket = new Socket();
        try {
            socket.setReuseAddress(false);
            socket.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), port));
            return socket;
        } catch (IOException e) {
            socket.close();
            throw e;
        }
    }

    private static void closeAll(List<Socket> sockets) throws IOException {
        IOException failure = null;
        for (Socket socket : sockets) {
            try {
                socket.close();
            } catch (IOException e) {
                if (failure == null) {
                    failure = e;
                } else {
                    failure.addSuppressed(e);
                }
            }
        }
        if (failure != null) {
            throw failure;
        }
    }

    @Override
    public String toString() {
        return "PortReservation" + ports;
    }
}
