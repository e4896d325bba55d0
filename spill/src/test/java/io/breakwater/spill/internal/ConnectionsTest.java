package io.breakwater.spill.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.lang.reflect.Proxy;
import java.sql.Connection;
import java.time.Duration;
import javax.sql.DataSource;
import org.junit.jupiter.api.Test;

/** What the store does to a connection a pool lends it, and gives back. */
class ConnectionsTest {

    @Test
    void aBorrowedConnectionGoesBackWithTheNetworkTimeoutAndAutoCommitItCameWith() throws Exception {
        // Regression: the spill's 30 s network timeout stayed on the pooled connection, cutting its next user's long
        // queries short, and auto-commit was turned on whatever the pool's default.
        int[] timeout = {0};
        boolean[] autoCommit = {false};   // a pool whose connections come with auto-commit off
        Connection connection = (Connection) Proxy.newProxyInstance(getClass().getClassLoader(),
                new Class<?>[] {Connection.class}, (proxy, method, args) -> switch (method.getName()) {
                    case "getNetworkTimeout" -> timeout[0];
                    case "setNetworkTimeout" -> {
                        timeout[0] = (Integer) args[1];
                        yield null;
                    }
                    case "getAutoCommit" -> autoCommit[0];
                    case "setAutoCommit" -> {
                        autoCommit[0] = (Boolean) args[0];
                        yield null;
                    }
                    default -> null;
                });
        DataSource pool = (DataSource) Proxy.newProxyInstance(getClass().getClassLoader(), new Class<?>[] {DataSource.class},
                (proxy, method, args) -> method.getName().equals("getConnection") ? connection : null);
        Connections connections = Connections.withNetworkTimeout(Connections.borrowed(pool), Duration.ofSeconds(30));

        Connection used = connections.acquire();
        assertThat(timeout[0]).as("during the transaction").isEqualTo(30_000);
        assertThat(autoCommit[0]).isFalse();
        connections.release(used, false);

        assertThat(timeout[0]).as("given back as lent").isZero();
        assertThat(autoCommit[0]).as("given back as lent").isFalse();
    }
}
