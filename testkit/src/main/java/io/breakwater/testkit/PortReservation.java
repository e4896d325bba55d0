package io.breakwater.testkit;

import java.io.Closeable;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadLocalRandom;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Loopback ports held for a broker until it binds them. Each port is held by a socket bound to it that
 * never listens: no other socket can bind the port, and a connection to it is refused as to a free port.
 * Ports reserved together are distinct, since they are all held at once; {@link #release()} frees them
 * just before the broker binds them.
 *
 * <p>Fresh ports are picked outside the kernel's range of ephemeral ports where it can tell that range (Linux): a node
 * restarts on the ports it had, and while it is down, and while its new JVM starts, any connection the machine opens
 * (a client's, another node's, reconnecting to it) could get one of them from the kernel as its own source port, and the
 * node could not bind it again. Outside that range, only a socket that binds the port by number can take it.
 */
final class PortReservation {

    private static final Logger LOG = LoggerFactory.getLogger(PortReservation.class);
    // Where fresh ports are picked when the kernel's ephemeral range is known: below it, from here (above the ports that
    // services and docker/compose.yaml publish).
    private static final int LOWEST = 20_000;
    // The fewest ports worth picking from at random, else the kernel picks.
    private static final int FEWEST = 1_000;
    // Ports tried at random before the kernel is left to pick one.
    private static final int TRIES = 200;
    private static final Path EPHEMERAL_RANGE = Path.of("/proc/sys/net/ipv4/ip_local_port_range");

    private final List<Integer> ports;
    private final Closeable holder;
    private boolean released; // guarded by `this`

    /** {@code ports}, freed by closing {@code holder}. */
    PortReservation(List<Integer> ports, Closeable holder) {
        this.ports = List.copyOf(ports);
        this.holder = holder;
    }

    /** {@code count} distinct ports, held: outside the kernel's ephemeral range where it is known, else picked by it. */
    static PortReservation fresh(int count) throws IOException {
        List<Socket> sockets = new ArrayList<>();
        try {
            int[] range = nonEphemeral(EPHEMERAL_RANGE);
            for (int i = 0; i < count; i++) {
                sockets.add(range == null ? hold(0) : holdAny(range[0], range[1]));
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

    /**
     * Ports that the kernel never hands out as source ports, as {lowest, highest}, from {@code rangeFile} (the kernel's
     * ephemeral range, "low high"): those below the range, from {@value #LOWEST}, or else those above it; null when the
     * file cannot be read or parsed, or neither side has {@value #FEWEST} ports.
     */
    static int[] nonEphemeral(Path rangeFile) {
        int low;
        int high;
        try {
            // Read line by line: a whole read of this /proc file, sized by the file's reported size, gets a wrong answer.
            String[] bounds = String.join(" ", Files.readAllLines(rangeFile)).trim().split("\\s+");
            low = Integer.parseInt(bounds[0]);
            high = Integer.parseInt(bounds[1]);
        } catch (IOException | RuntimeException e) {
            return null;   // not Linux, or a range this cannot read: the kernel picks
        }
        if (low - LOWEST >= FEWEST) {
            return new int[] {LOWEST, low - 1};
        }
        if (65_535 - high >= FEWEST) {
            return new int[] {Math.max(high + 1, LOWEST), 65_535};
        }
        return null;
    }

    // Fresh ports are claimed for the life of the JVM that picked them, by a lock on a file named after the port in a
    // directory every JVM of the machine shares: while a node's broker restarts, its ports are free for seconds (the new
    // JVM binds them as it starts), and a test in another JVM (parallel forks, another build) must not pick them then.
    private static final Path CLAIMS = Path.of(System.getProperty("java.io.tmpdir"), "breakwater-port-claims");
    private static final Map<Integer, FileChannel> CLAIMED = new ConcurrentHashMap<>();

    /** Whether {@code port} is now claimed by this JVM (false: another JVM, or this one, claimed it before). */
    static boolean claim(int port) {
        try {
            Files.createDirectories(CLAIMS);
            FileChannel channel = FileChannel.open(CLAIMS.resolve(Integer.toString(port)), StandardOpenOption.CREATE,
                    StandardOpenOption.WRITE);
            FileLock lock;
            try {
                lock = channel.tryLock();
            } catch (OverlappingFileLockException e) {
                lock = null;   // this JVM claimed it already
            }
            if (lock == null) {
                channel.close();
                return false;
            }
            CLAIMED.put(port, channel);   // the lock lives as long as its channel: until this JVM ends
            return true;
        } catch (IOException e) {
            return true;   // no shared directory to claim in: picked as before
        }
    }

    /** A port of {@code lowest..highest} held, tried at random; one the kernel picks when none of the tries was free. */
    private static Socket holdAny(int lowest, int highest) throws IOException {
        ThreadLocalRandom random = ThreadLocalRandom.current();
        for (int i = 0; i < TRIES; i++) {
            int port = random.nextInt(lowest, highest + 1);
            if (!claim(port)) {
                continue;   // another node's, perhaps down for a restart
            }
            try {
                return hold(port);
            } catch (IOException taken) {
                // in use: another
            }
        }
        Socket picked = hold(0);
        LOG.warn("No free port among {} tries in {}-{}; the kernel picked {}, which it may also give a connection as its "
                + "source port while the broker is down", TRIES, lowest, highest, picked.getLocalPort());
        return picked;
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
