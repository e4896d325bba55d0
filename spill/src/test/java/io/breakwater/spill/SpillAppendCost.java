package io.breakwater.spill;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.IntStream;

/**
 * What an append costs on a {@link SqliteSpillStore} on this machine's disk: p50 and p99 of appends of 1 event
 * and of 100 events (1 KiB payloads, each append fsync'd). Not a test; run by hand:
 * {@code java -cp <test classpath> io.breakwater.spill.SpillAppendCost [dir]}.
 */
public final class SpillAppendCost {

    private SpillAppendCost() {
    }

    public static void main(String[] args) throws Exception {
        Path dir = Files.createTempDirectory(Path.of(args.length > 0 ? args[0] : "target"), "append-cost");
        try (SpillStore store = SqliteSpillStore.open(dir.resolve("spill.db"))) {
            measure(store, 1, 50, 500);
            measure(store, 100, 10, 200);
        }
    }

    private static void measure(SpillStore store, int batch, int warmup, int runs) {
        long[] nanos = new long[runs];
        long order = 0;
        for (int i = -warmup; i < runs; i++) {
            long first = order;
            List<SpilledEvent> events = IntStream.range(0, batch)
                    .mapToObj(n -> SpilledEvent.of("orders", "orders", "key", new byte[1024], Map.of("trace", "abc"), first + n, 1))
                    .toList();
            order += batch;
            long start = System.nanoTime();
            List<SpilledEvent> stored = store.append(events);
            long took = System.nanoTime() - start;
            if (i >= 0) {
                nanos[i] = took;
            }
            store.remove(new ArrayList<>(stored));
        }
        Arrays.sort(nanos);
        System.out.printf(Locale.ROOT, "append of %3d event(s): p50 %.2f ms, p99 %.2f ms (%d runs)%n", batch,
                nanos[runs / 2] / 1e6, nanos[runs * 99 / 100] / 1e6, runs);
    }
}
