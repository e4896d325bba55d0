package io.breakwater.testkit;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.SocketException;
import java.util.Arrays;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One direction of a {@link FaultProxy} link: {@link #read()} takes chunks from one socket, each stamped with when it
 * was read; {@link #write()} writes each to the other socket once its turn has come (the latency since it was read, and
 * traffic flowing). Run each on a thread of its own: a chunk read while another waits out its latency waits beside it,
 * not behind it.
 */
final class ProxyPipe {

    private static final Logger LOG = LoggerFactory.getLogger(ProxyPipe.class);
    // The most read at once, and the most bytes held (read, not yet written): a reader that far ahead of its writer
    // waits, as a full socket buffer would make its peer wait.
    private static final int CHUNK = 64 * 1024;
    private static final int HELD_BYTES = 4 * 1024 * 1024;

    /** What a pipe asks of its link. */
    interface Link {
        boolean isClosed();

        /** Blocks while the proxy holds traffic; false once nothing may flow on the link any more. */
        boolean awaitFlow() throws InterruptedException;

        /** Blocks until the proxy's latency (as it is now) has passed since {@code readNanos} and traffic flows; false as above. */
        boolean awaitTurn(long readNanos) throws InterruptedException;

        /** Closes both sockets (idempotent). */
        void close();
    }

    /** Bytes read at once, and when; no bytes: the end of the stream (or a failed read), once what came before is written. */
    private record Chunk(long readNanos, byte[] bytes) {
        static Chunk end() {
            return new Chunk(System.nanoTime(), null);
        }
    }

    private final String proxy;
    private final Socket from;
    private final Socket to;
    private final Link link;
    private final BlockingQueue<Chunk> held = new LinkedBlockingQueue<>();
    private final Semaphore room = new Semaphore(HELD_BYTES);

    ProxyPipe(String proxy, Socket from, Socket to, Link link) {
        this.proxy = proxy;
        this.from = from;
        this.to = to;
        this.link = link;
    }

    /** Reads until the end of the stream or of the link; the writer closes the link once it has written what came before the end. */
    void read() {
        boolean ended = false;
        try {
            InputStream in = from.getInputStream();
            byte[] buffer = new byte[CHUNK];
            while (!link.isClosed() && link.awaitFlow()) {
                int n;
                try {
                    n = in.read(buffer);
                } catch (IOException e) {
                    failed(e);
                    n = -1;   // reset by the peer, say: what is held still goes first, as on a slow link
                }
                if (n < 0) {
                    held.add(Chunk.end());
                    ended = true;
                    return;
                }
                while (!room.tryAcquire(n, 100, TimeUnit.MILLISECONDS)) {
                    if (link.isClosed()) {
                        return;
                    }
                }
                held.add(new Chunk(System.nanoTime(), Arrays.copyOf(buffer, n)));
            }
        } catch (IOException | InterruptedException e) {
            failed(e);
        } finally {
            if (!ended) {
                link.close();
            }
        }
    }

    /** Writes what was read, each chunk once its turn has come, until the end or the link's close; then closes the link. */
    void write() {
        try {
            OutputStream out = to.getOutputStream();
            while (!link.isClosed()) {
                Chunk chunk = held.poll(100, TimeUnit.MILLISECONDS);
                if (chunk == null) {
                    continue;
                }
                if (!link.awaitTurn(chunk.readNanos) || chunk.bytes == null) {
                    break;
                }
                out.write(chunk.bytes);
                out.flush();
                room.release(chunk.bytes.length);
            }
        } catch (IOException | InterruptedException e) {
            failed(e);
        } finally {
            link.close();
        }
    }

    private void failed(Exception e) {
        if (e instanceof InterruptedException) {
            Thread.currentThread().interrupt();
        } else if (!(e instanceof SocketException) && !link.isClosed()) {   // closed by the other side or by cut(): no news
            LOG.debug("proxy {} link failed", proxy, e);
        }
    }
}
