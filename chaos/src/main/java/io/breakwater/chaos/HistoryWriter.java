package io.breakwater.chaos;

import java.io.BufferedWriter;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * Appends history lines to a file from a thread of its own, so that the threads that complete operations (Kafka's
 * network threads among them) only enqueue. Lines are on disk within a second; {@link #close()} writes the rest.
 * Thread-safe.
 */
final class HistoryWriter implements AutoCloseable {

    private static final String END = "\u0000end";

    private final Path file;
    private final LinkedBlockingQueue<String> lines = new LinkedBlockingQueue<>();
    private final Thread writer;
    private volatile IOException failure;

    HistoryWriter(Path file) throws IOException {
        this.file = file;
        BufferedWriter out = Files.newBufferedWriter(file, StandardCharsets.UTF_8);
        this.writer = new Thread(() -> drain(out), "chaos-history");
        writer.setDaemon(true);
        writer.start();
    }

    Path file() {
        return file;
    }

    void write(String line) {
        lines.add(line);
    }

    private void drain(BufferedWriter out) {
        try (out) {
            List<String> batch = new ArrayList<>();
            while (true) {
                String first = lines.poll(1, TimeUnit.SECONDS);
                if (first == null) {
                    out.flush();
                    continue;
                }
                batch.add(first);
                lines.drainTo(batch);
                for (String line : batch) {
                    if (END.equals(line)) {
                        return;
                    }
                    out.write(line);
                    out.newLine();
                }
                batch.clear();
            }
        } catch (IOException e) {
            failure = e;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** Writes what is queued and closes the file. */
    @Override
    public void close() {
        if (writer.isAlive()) {
            lines.add(END);
            try {
                writer.join(TimeUnit.MINUTES.toMillis(1));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        if (failure != null) {
            throw new UncheckedIOException("could not write the history to " + file, failure);
        }
    }
}
