package io.breakwater.spill;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.IntStream;

/**
 * A process for {@link SqliteSpillStoreTest} to kill: appends batches to the spill in {@code args[0]}, prints
 * {@code appended <n>} after each append returns, then waits to be killed, never closing the store.
 */
public final class SpillKillChild {

    private SpillKillChild() {
    }

    public static void main(String[] args) throws Exception {
        SqliteSpillStore store = SqliteSpillStore.open(Path.of(args[0]));
        int batches = Integer.parseInt(args[1]);
        int appended = 0;
        for (int b = 0; b < batches; b++) {
            int base = appended;
            List<SpilledEvent> events = IntStream.range(0, 10).mapToObj(i -> SpilledEvent.of("s", "t", null,
                    new byte[100], Map.of(), base + i, 1)).toList();
            store.append(events);
            appended += events.size();
            System.out.println("appended " + appended);
            System.out.flush();
        }
        System.in.read();
        System.out.println("not killed; closing " + store.describe());
    }
}
