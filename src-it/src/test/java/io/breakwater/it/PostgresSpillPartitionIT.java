package io.breakwater.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.breakwater.spill.JdbcSpillStore;
import io.breakwater.spill.SpillException;
import io.breakwater.spill.SpilledEvent;
import io.breakwater.testkit.FaultProxy;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * A PostgreSQL spill whose database stops answering without closing its connection (this machine's PostgreSQL behind
 * a {@link FaultProxy} that black-holes it, as a network partition or a frozen server would): an append fails after the
 * store's network timeout instead of waiting until the operating system gives up on the connection, a reconnect
 * meanwhile does not wait for a login answer for ever, and once the database answers again the store carries on.
 */
class PostgresSpillPartitionIT {

    private static final Duration TIMEOUT = Duration.ofSeconds(1);

    private FaultProxy proxy;
    private JdbcSpillStore store;
    private final String table = "spill_partition_" + UUID.randomUUID().toString().replace("-", "").substring(0, 12);

    @BeforeEach
    void start() throws Exception {
        proxy = new FaultProxy("postgres", new InetSocketAddress(Postgres.HOST, Postgres.PORT));
        store = JdbcSpillStore.builder(Postgres.url("127.0.0.1", proxy.port()), Postgres.USER, Postgres.PASSWORD)
                .table(table).networkTimeout(TIMEOUT).open();
    }

    @AfterEach
    void stop() throws Exception {
        proxy.pass();
        if (store != null) {
            store.close();
        }
        proxy.close();
        Postgres.dropTable(table);
    }

    private static SpilledEvent event(int n) {
        return SpilledEvent.of("orders", "orders", "k", ("event " + n).getBytes(StandardCharsets.UTF_8), Map.of(), n,
                System.currentTimeMillis());
    }

    @Test
    void anAppendToABlackHoledDatabaseFailsAfterTheNetworkTimeoutAndTheStoreCarriesOnOnceItAnswers() {
        store.append(List.of(event(1)));
        proxy.blackHole();

        long started = System.nanoTime();
        assertThatThrownBy(() -> store.append(List.of(event(2)))).isInstanceOf(SpillException.class)
                .hasMessageContaining("127.0.0.1:" + proxy.port()).hasMessageContaining(table);
        Duration held = Duration.ofNanos(System.nanoTime() - started);
        // Without the timeout the append waits until the kernel gives up on the connection (about 15 minutes).
        assertThat(held).as("how long the append waited").isLessThan(TIMEOUT.multipliedBy(10));

        // The failed connection is dropped: the next transaction logs in again, and a login unanswered fails too.
        started = System.nanoTime();
        assertThatThrownBy(() -> store.append(List.of(event(3)))).isInstanceOf(SpillException.class);
        assertThat(Duration.ofNanos(System.nanoTime() - started)).as("how long the reconnect waited")
                .isLessThan(TIMEOUT.multipliedBy(10));

        proxy.pass();
        store.append(List.of(event(4)));
        assertThat(store.events("orders")).as("the events appended while it answered").isEqualTo(2);
        assertThat(store.oldest("orders", 10)).extracting(e -> new String(e.payload(), StandardCharsets.UTF_8))
                .containsExactly("event 1", "event 4");
    }

    @Test
    void aNetworkTimeoutOutOfRangeIsRefusedNamingIt() {
        JdbcSpillStore.Builder builder = JdbcSpillStore.builder(Postgres.url("127.0.0.1", proxy.port()), Postgres.USER, null);
        assertThatThrownBy(() -> builder.networkTimeout(Duration.ofMillis(999))).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("networkTimeout must be from 1 s to 1 hour, but was PT0.999S");
        assertThatThrownBy(() -> builder.networkTimeout(Duration.ofHours(2))).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("networkTimeout must be from 1 s to 1 hour, but was PT2H");
        assertThatThrownBy(() -> builder.networkTimeout(null)).isInstanceOf(NullPointerException.class)
                .hasMessage("networkTimeout");
    }
}
