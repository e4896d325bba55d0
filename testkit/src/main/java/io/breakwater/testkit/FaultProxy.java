package io.breakwater.testkit;

import java.io.Closeable;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.time.Duration;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A loopback TCP proxy in front of one broker listener, switchable at runtime between {@link ProxyMode}s.
 * Clients are given the proxy's address (the broker advertises it), so switching the proxy is a network
 * fault as the client sees it, while the brokers keep talking to each other on their own listener.
 *
 * <p>Blocking sockets, two threads per direction of a connection ({@link ProxyPipe}: one reads, one writes what was read
 * once its time comes), so that {@link #latency(Duration)} delays each chunk by the latency from when it was read:
 * chunks in flight wait side by side, not one behind another's delay. Kafka clients open few connections.
 */
public final class FaultProxy implements Closeable {

    private static final Logger LOG = LoggerFactory.getLogger(FaultProxy.class);
    private static final AtomicInteger THREADS = new AtomicInteger();

    private final String name;
    private final InetSocketAddress target;
    private final ServerSocket server;
    private final Set<Link> links = ConcurrentHashMap.newKeySet();
    // Mode and latency change together under the lock; pumps wait on `changed` while held.
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition changed = lock.newCondition();
    private volatile ProxyMode mode = ProxyMode.PASS;
    private volatile long latencyNanos;
    private volatile boolean closed;

    /** A proxy on a free loopback port, forwarding to {@code target}. */
    public FaultProxy(String name, InetSocketAddress target) throws IOException {
        this(name, target, 0);
    }

    /** A proxy on loopback {@code port} (0: any free port), forwarding to {@code target}. */
    public FaultProxy(String name, InetSocketAddress target, int port) throws IOException {
        this.name = Objects.requireNonNull(name, "name");
        this.target = Objects.requireNonNull(target, "target");
        this.server = new ServerSocket();
        server.setReuseAddress(true);
        server.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 128);
        daemon("accept", this::acceptLoop).start();
    }

    /** The port clients connect to. */
    public int port() {
        return server.getLocalPort();
    }

    /** {@code 127.0.0.1:port}. */
    public String address() {
        return server.getInetAddress().getHostAddress() + ":" + port();
    }

    public ProxyMode mode() {
        return mode;
    }

    /** Forward everything again; bytes held by a black hole flow on. */
    public void pass() {
        setMode(ProxyMode.PASS, 0);
    }

    /** Close every connection and reset new ones. */
    public void cut() {
        setMode(ProxyMode.CUT, 0);
        for (Link link : links) {
            link.close();
        }
    }

    /** Hold every byte, answer nothing: a frozen broker. */
    public void blackHole() {
        setMode(ProxyMode.BLACK_HOLE, 0);
    }

    /**
     * Delay each chunk by {@code delay} (at most an hour) in each direction, from when the proxy read it: latency, not a cap
     * on bandwidth (a stream arrives {@code delay} later, as fast as it was sent). A change of mode or latency applies
     * to the chunks held too: {@link #pass()} forwards them at once.
     */
    public void latency(Duration delay) {
        Objects.requireNonNull(delay, "delay");
        if (delay.isNegative() || delay.compareTo(Duration.ofHours(1)) > 0) {
            throw new IllegalArgumentException("delay must be in [0, 1h], but was " + delay);
        }
        setMode(ProxyMode.LATENCY, delay.toNanos());
    }

    private void setMode(ProxyMode newMode, long latency) {
        lock.lock();
        try {
            this.latencyNanos = latency;
            this.mode = newMode;
            changed.signalAll();
        } finally {
            lock.unlock();
        }
        LOG.info("proxy {} ({} -> {}) now {}", name, address(), target, newMode);
    }

    /** Connections open now. */
    public int openConnections() {
        return links.size();
    }

    private void acceptLoop() {
        while (!closed) {
            Socket client;
            try {
                client = server.accept();
            } catch (IOException e) {
                if (!closed) {
                    LOG.warn("proxy {} stopped accepting", name, e);
                }
                return;
            }
            Link link = new Link(client);
            links.add(link);
            if (closed || mode == ProxyMode.CUT) {
                link.close();   // reset; looked at once in the set, so that a cut() or close() now cannot miss it
                continue;
            }
            daemon("link", link::open).start();
        }
    }

    private static void reset(Socket socket) {
        try {
            socket.setSoLinger(true, 0);
            socket.close();
        } catch (IOException ignored) {
            // already gone
        }
    }

    /** Whether bytes may still flow on {@code link}: it and the proxy are open, and not cut. */
    private boolean flows(Link link) {
        return !closed && !link.closed && mode != ProxyMode.CUT;
    }

    /**
     * Blocks while the proxy holds traffic, and when {@code delayed}, until the latency (as it is now: a change applies to
     * what is held) has passed since {@code readNanos}; false once nothing may flow on {@code link} any more.
     */
    private boolean awaitTurn(Link link, long readNanos, boolean delayed) throws InterruptedException {
        ProxyMode now = mode;
        if (now == ProxyMode.PASS || now == ProxyMode.LATENCY && !delayed) {
            return flows(link);
        }
        lock.lock();
        try {
            for (;;) {
                if (!flows(link)) {
                    return false;
                }
                if (mode == ProxyMode.BLACK_HOLE) {
                    changed.await();
                    continue;
                }
                long wait = delayed && mode == ProxyMode.LATENCY ? readNanos + latencyNanos - System.nanoTime() : 0;
                if (wait <= 0) {
                    return true;
                }
                changed.awaitNanos(wait);
            }
        } finally {
            lock.unlock();
        }
    }

    /** Wakes every wait on the proxy's mode, to look again. */
    private void signalChange() {
        lock.lock();
        try {
            changed.signalAll();
        } finally {
            lock.unlock();
        }
    }

    private Thread daemon(String role, Runnable body) {
        Thread t = new Thread(body, "fault-proxy-" + name + "-" + role + "-" + THREADS.incrementAndGet());
        t.setDaemon(true);
        return t;
    }

    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        try {
            server.close();
        } catch (IOException ignored) {
            // closing anyway
        }
        signalChange();
        for (Link link : links) {
            link.close();
        }
    }

    @Override
    public String toString() {
        return "FaultProxy[" + name + " " + address() + " -> " + target + ", " + mode + "]";
    }

    /** One client connection and its upstream twin. */
    private final class Link implements ProxyPipe.Link {
        private final Socket client;
        private volatile Socket upstream;
        private volatile boolean closed;

        Link(Socket client) {
            this.client = client;
        }

        void open() {
            try {
                // A frozen broker's kernel still accepts; its process never reads: so wait before connecting.
                if (!awaitFlow()) {
                    close();
                    return;
                }
                Socket up = new Socket();
                upstream = up;   // before the connect: a close meanwhile resets it
                up.connect(target, 5_000);
                up.setTcpNoDelay(true);
                client.setTcpNoDelay(true);
                if (closed) {
                    reset(up);   // closed before it was set above, or while connecting
                    return;
                }
                ProxyPipe toUpstream = new ProxyPipe(name, client, up, this);
                ProxyPipe toClient = new ProxyPipe(name, up, client, this);
                daemon("up-write", toUpstream::write).start();
                daemon("down-write", toClient::write).start();
                daemon("up-read", toUpstream::read).start();
                toClient.read();
            } catch (IOException e) {
                // The broker is down: the client sees its connection reset.
                reset(client);
                close();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                close();
            } catch (RuntimeException | Error e) {
                close();   // no thread of this link is left waiting on the other half
                throw e;
            }
        }

        @Override
        public boolean isClosed() {
            return closed;
        }

        @Override
        public boolean awaitFlow() throws InterruptedException {
            return FaultProxy.this.awaitTurn(this, 0, false);
        }

        @Override
        public boolean awaitTurn(long readNanos) throws InterruptedException {
            return FaultProxy.this.awaitTurn(this, readNanos, true);
        }

        @Override
        public void close() {
            if (closed) {
                return;
            }
            closed = true;
            links.remove(this);
            reset(client);
            Socket up = upstream;
            if (up != null) {
                reset(up);
            }
            signalChange();
        }
    }
}
