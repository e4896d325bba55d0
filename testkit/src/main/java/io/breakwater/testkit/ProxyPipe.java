package io.breakwater.testkit;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.SocketException;
import java.util.Arrays;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One direction of a {@link FaultProxy} link: {@link #read()} takes chunks from one socket, each stamped with when it
 * was read; {@link #write()} writes each to the other socket once its time has come and traffic flows. Run each on a
 * thread of its own: a chunk read while another waits out its latency waits beside it, not behind it.
 */
final class ProxyPipe {

    private static final Logger LOG = LoggerFactory.getLogger(ProxyPipe.class);
    // The most read at once, and the most chunks held (4 MiB at most): a reader ahead of its writer waits.
    private static final int CHUNK = 64 * 1024;
    private static final int HELD_CHUNKS = 64;

    /** What a pipe asks of its link. */
    interface Link {
        boolean isClosed();

        /** Blocks while the proxy holds traffic; false once the proxy or the link closed. */
        boolean awaitFlow() throws InterruptedException;

        /** Blocks until the proxy's latency (as it is now) has passed since {@code readNanos}; false once closed. */
        boolean awaitTime(long readNanos) throws InterruptedException;

        /** Closes both sockets (idempotent). */
        void close();
    }

    /** Bytes read at once, and when. */
    private record Chunk(long readNanos, byte[] bytes) {
        // The end of the stream: the link closes once what came before it is written.
        static final Chunk END = new Chunk(0, new byte[0]);
    }

    private final String proxy;
    private final Socket from;
    private final Socket to;
    private final Link link;
    private final BlockingQueue<Chunk> held = new ArrayBlockingQueue<>(HELD_CHUNKS);

    ProxyPipe(String proxy, Socket from, Socket to, Link link) {
        this.proxy = proxy;
        this.from = from;
        this.to = to;
        this.link = link;
    }

    /** Reads until the end of the stream or of the link. */
    void read() {
        byte[] buffer = new byte[CHUNK];
        try {
            InputStream in = from.getInputStream();
            while (!link.isClosed() && link.awaitFlow()) {
                int n = in.read(buffer);
                Chunk chunk = n < 0 ? Chunk.END : new Chunk(System.nanoTime(), Arrays.copyOf(buffer, n));
                while (!link.isClosed() && !held.offer(chunk, 100, TimeUnit.MILLISECONDS)) {
                    // the writer is behind, or a black hole holds it: wait, as a full socket buffer would
                }
                if (n < 0) {
                    return;   // the writer closes the link once it has written what came before the end
                }
            }
        } catch (IOException | InterruptedException e) {
            failed(e);
        }
        link.close();
    }

    /** Writes what was read, each chunk once the latency has passed since it was read, until the end or the link's close. */
    void write() {
        try {
            OutputStream out = to.getOutputStream();
            while (!link.isClosed()) {
                Chunk chunk = held.poll(100, TimeUnit.MILLISECONDS);
                if (chunk == null) {
                    continue;
                }
                if (chunk == Chunk.END || !link.awaitTime(chunk.readNanos) || !link.awaitFlow()) {
                    break;
                }
                out.write(chunk.bytes);
                out.flush();
            }
        } catch (IOException | InterruptedException e) {
            failed(e);
        }
        link.close();
    }

    private void failed(Exception e) {
        if (e instanceof InterruptedException) {
            Thread.currentThread().interrupt();
        } else if (!(e instanceof SocketException)) {   // a socket closed by the other side or by cut(): no news
            LOG.debug("proxy {} link failed", proxy, e);
        }
    }
}
