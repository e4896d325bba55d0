package io.breakwater.it;

import io.breakwater.eventbus.EventBus;
import io.breakwater.spill.SqliteSpillStore;
import io.breakwater.transport.redpanda.RedpandaTransport;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.CountDownLatch;

/**
 * The application {@link SpillAfterCrashIT} kills: an EventBus with its defaults and a SQLite spill at
 * {@code args[2]}, publishing a steady keyed load (2 threads, 10 keys, 200 events/s) to stream {@code args[1]} on
 * the cluster {@code args[0]}, for ever. It prints one line per answered publish, once its future has completed
 * (so a spilled event is durable when its line is written): {@code acked|spilled <event id> <key> <seq>}, or
 * {@code failed <key> <seq> <error>}. It never closes anything: it waits to be killed.
 */
public final class SpillCrashMain {

    private SpillCrashMain() {
    }

    public static void main(String[] args) throws Exception {
        String bootstrap = args[0];
        String stream = args[1];
        Path spill = Path.of(args[2]);
        RedpandaTransport transport = RedpandaTransport.builder(Map.of("bootstrap.servers", bootstrap)).build();
        EventBus bus = EventBus.builder(transport).spill(SqliteSpillStore.open(spill)).build();
        new SpillLoad(bus, stream, 2, 10, 200).listener((tick, result, error) -> {
            String line = error != null ? "failed " + tick.key() + " " + tick.seq() + " " + error
                    : (result.spilled() ? "spilled " : result.acknowledged() ? "acked " : "other ") + result.eventId() + " "
                    + tick.key() + " " + tick.seq();
            synchronized (System.out) {
                System.out.println(line);
                System.out.flush();
            }
        }).start();
        System.out.println("started");
        System.out.flush();
        new CountDownLatch(1).await();
    }
}
