package io.breakwater.testkit;

import java.io.Closeable;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketException;
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
 * <p>Blocking sockets, two threads per connection: Kafka clients open few connections.
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

    /** Delay each chunk by {@code delay} in each direction. */
    public void latency(Duration delay) {
        Objects.requireNonNull(delay, "delay");
        if (delay.isNegative()) {
            throw new IllegalArgumentException("delay must be >= 0, but was " + delay);
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
            if (mode == ProxyMode.CUT) {
                reset(client);
                continue;
            }
            Link link = new Link(client);
            links.add(link);
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

    /** Blocks while the proxy holds traffic; false when the proxy or the link closed meanwhile. */
    private boolean awaitFlow(Link link) throws InterruptedException {
        if (mode != ProxyMode.BLACK_HOLE) {
            return !link.closed;
        }
        lock.lock();
        try {
            while (mode == ProxyMode.BLACK_HOLE && !closed && !link.closed) {
                changed.await();
            }
        } finally {
            lock.unlock();
        }
        return !closed && !link.closed;
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
        lock.lock();
        try {
            changed.signalAll();
        } finally {
            lock.unlock();
        }
        for (Link link : links) {
            link.close();
        }
    }

    @Override
    public String toString() {
        return "FaultProxy[" + name + " " + address() + " -> " + target + ", " + mode + "]";
    }

    /** One client connection and its upstream twin. */
    private final class Link {
        private final Socket client;
        private volatile Socket upstream;
        private volatile boolean closed;

        Link(Socket client) {
            this.client = client;
        }

        void open() {
            try {
                // A frozen broker's kernel still accepts; its process never reads: so wait before connecting.
                if (!awaitFlow(this)) {
                    close();
                    return;
                }
                Socket up = new Socket();
                up.connect(target, 5_000);
                up.setTcpNoDelay(true);
                client.setTcpNoDelay(true);
                upstream = up;
                if (closed) {
                    close();
                    return;
                }
                daemon("up", () -> pump(client, up)).start();
                pump(up, client);
            } catch (IOException e) {
                // The broker is down: the client sees its connection reset.
                reset(client);
                close();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                close();
            }
        }

        private void pump(Socket from, Socket to) {
            byte[] buffer = new byte[64 * 1024];
            try {
                InputStream in = from.getInputStream();
                OutputStream out = to.getOutputStream();
                while (!closed) {
                    if (!awaitFlow(this)) {
                        break;
                    }
                    int n = in.read(buffer);
                    if (n < 0) {
                        break;
                    }
                    if (!awaitFlow(this)) {
                        break;
                    }
                    long delay = mode == ProxyMode.LATENCY ? latencyNanos : 0;
                    if (delay > 0) {
                        Thread.sleep(delay / 1_000_000L, (int) (delay % 1_000_000L));
                    }
                    out.write(buffer, 0, n);
                    out.flush();
                }
            } catch (SocketException e) {
                // closed by the other side or by cut()
            } catch (IOException e) {
                LOG.debug("proxy {} link failed", name, e);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            close();
        }

        void close() {
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
            lock.lock();
            try {
                changed.signalAll();
            } finally {
                lock.unlock();
            }
        }
    }
}
