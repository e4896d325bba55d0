package io.breakwater.spill;

import io.breakwater.spill.internal.Connections;
import io.breakwater.spill.internal.JdbcUrl;
import io.breakwater.spill.internal.Redaction;
import io.breakwater.spill.internal.Schema;
import io.breakwater.spill.internal.SqlSpill;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.time.Duration;
import java.util.Objects;
import java.util.Properties;
import javax.sql.DataSource;

/**
 * A spill in a PostgreSQL table (10 or later): an outbox next to the application's own data. Bring the driver
 * ({@code org.postgresql:postgresql}) and, best, a pooled {@link DataSource}:
 *
 * <pre>{@code
 * JdbcSpillStore.builder(dataSource).table("breakwater_spill").open();
 * JdbcSpillStore.builder("jdbc:postgresql://db:5432/app", "app", password).maxEvents(100_000).open();
 * }</pre>
 *
 * <p>On open, the store creates its table and indexes if they are missing ({@code CREATE ... IF NOT EXISTS},
 * so the user needs the right to create them, or someone creates them first), then counts what the table holds.
 * For the default table, {@code breakwater_spill}, the DDL is {@link #DDL}:
 *
 * <pre>
 * CREATE TABLE IF NOT EXISTS breakwater_spill (
 *     sequence      BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
 *     event_id      TEXT   NOT NULL UNIQUE,
 *     stream        TEXT   NOT NULL,
 *     topic         TEXT   NOT NULL,
 *     event_key     TEXT   NULL,
 *     payload       BYTEA  NOT NULL,
 *     headers       TEXT   NOT NULL,
 *     ordering      BIGINT NOT NULL,
 *     spilled_at_ms BIGINT NOT NULL,
 *     size_bytes    BIGINT NOT NULL
 * );
 * CREATE INDEX IF NOT EXISTS breakwater_spill_replay ON breakwater_spill (stream, ordering, sequence);
 * CREATE INDEX IF NOT EXISTS breakwater_spill_age ON breakwater_spill (spilled_at_ms);
 * </pre>
 *
 * <p>{@code headers} is a JSON object of names to strings or nulls, in ASCII; {@code size_bytes} is
 * {@link SpilledEvent#sizeBytes()}; {@code ordering} is {@link SpilledEvent#order()}. The first index makes
 * {@link #oldest} an index scan, the second makes the oldest spill time cheap to find after a removal.
 *
 * <p><b>The table belongs to one application instance at a time.</b> The store counts what it holds when it
 * opens and keeps the counts in memory after that, for {@link #stats()}, {@link #streams()} and the limits;
 * another writer to the same table would make them wrong. Give each instance its own table.
 *
 * <p>Each append, read or removal is one transaction. With {@link #builder(String, String, String)} the store
 * keeps one connection from {@link DriverManager} (no pool), and opens a new one after a failure; with a
 * {@link DataSource} it takes a connection for each transaction and gives it back after. No message, log or
 * {@link #describe()} shows a password: the URL is shown without {@code user:password@} and without
 * {@code password=} parameters, and the password is passed to the driver apart from the URL.
 */
public final class JdbcSpillStore extends SqlBackedStore {

    /** The table unless {@link Builder#table(String)} says otherwise. */
    public static final String DEFAULT_TABLE = "breakwater_spill";
    /** The statements that create the default table and its indexes, as the class comment shows them. */
    public static final String DDL = ddl(DEFAULT_TABLE);
    /** {@link Builder#maxEvents(long)} unless set: 1,000,000. */
    public static final long DEFAULT_MAX_EVENTS = 1_000_000;
    /** {@link Builder#maxBytes(long)} unless set: 1 GiB. */
    public static final long DEFAULT_MAX_BYTES = 1L << 30;
    /** How long one request may wait for the database unless {@link Builder#networkTimeout} says otherwise. */
    public static final Duration DEFAULT_NETWORK_TIMEOUT = Duration.ofSeconds(30);

    private JdbcSpillStore(SqlSpill spill) {
        super(spill);
    }

    /**
     * The DDL of {@link #DDL} for another table, {@code name} or {@code schema.name}.
     *
     * @throws IllegalArgumentException when the name is not a plain SQL identifier, as {@link Builder#table} says
     */
    public static String ddl(String table) {
        return Schema.postgres(table).ddl();
    }

    /** A builder for a store that takes its connections from {@code dataSource} (which it never closes). */
    public static Builder builder(DataSource dataSource) {
        return new Builder(Objects.requireNonNull(dataSource, "dataSource"), null, null, null);
    }

    /**
     * A builder for a store that connects through {@link DriverManager}.
     *
     * @param jdbcUrl  the database, as in {@code jdbc:postgresql://host:5432/db} (for PostgreSQL, without
     *                 {@code user:password@}: its driver does not read them there)
     * @param user     the user, or null to leave it to the URL or the driver
     * @param password the password, or null
     */
    public static Builder builder(String jdbcUrl, String user, String password) {
        Objects.requireNonNull(jdbcUrl, "jdbcUrl");
        if (!jdbcUrl.startsWith("jdbc:")) {
            throw new IllegalArgumentException("jdbcUrl must start with 'jdbc:', as in jdbc:postgresql://host:5432/db, "
                    + "but was " + JdbcUrl.withoutCredentials(jdbcUrl));
        }
        if (jdbcUrl.contains(":postgresql:") && JdbcUrl.credentialsBeforeHost(jdbcUrl)) {
            // pgjdbc reads no credentials there (it takes them for part of the host) and logs such a URL as written.
            throw new IllegalArgumentException("jdbcUrl must not carry user:password@ before the host: the PostgreSQL "
                    + "driver does not read them there, and would log the URL, password and all; give them as the user and "
                    + "password arguments, but was " + JdbcUrl.withoutCredentials(jdbcUrl));
        }
        return new Builder(null, jdbcUrl, user, password);
    }

    /** Closes the store's connection, if it holds one; never the {@link DataSource}. */
    @Override
    public void close() {
        super.close();
    }

    @Override
    public String toString() {
        return "JdbcSpillStore[" + describe() + "]";
    }

    /** The table and limits of a {@link JdbcSpillStore}, checked as they are set. */
    public static final class Builder {

        private final DataSource dataSource;
        private final String url;
        private final String user;
        private final String password;
        private Schema schema = Schema.postgres(DEFAULT_TABLE);
        private long maxEvents = DEFAULT_MAX_EVENTS;
        private long maxBytes = DEFAULT_MAX_BYTES;
        private Duration networkTimeout = DEFAULT_NETWORK_TIMEOUT;

        private Builder(DataSource dataSource, String url, String user, String password) {
            this.dataSource = dataSource;
            this.url = url;
            this.user = user;
            this.password = password;
        }

        /**
         * The table, {@code name} or {@code schema.name}: each a plain SQL identifier (a letter or {@code _}, then
         * letters, digits and {@code _}), the name at most 48 characters. Unquoted, so PostgreSQL folds it to lower
         * case. Default {@value JdbcSpillStore#DEFAULT_TABLE}.
         */
        public Builder table(String table) {
            this.schema = Schema.postgres(table);
            return this;
        }

        /** The most events the store holds; {@code > 0}. Default 1,000,000. */
        public Builder maxEvents(long maxEvents) {
            if (maxEvents <= 0) {
                throw new IllegalArgumentException("maxEvents must be > 0, but was " + maxEvents);
            }
            this.maxEvents = maxEvents;
            return this;
        }

        /** The most bytes ({@link SpilledEvent#sizeBytes()}, summed) the store holds; {@code > 0}. Default 1 GiB. */
        public Builder maxBytes(long maxBytes) {
            if (maxBytes <= 0) {
                throw new IllegalArgumentException("maxBytes must be > 0, but was " + maxBytes);
            }
            this.maxBytes = maxBytes;
            return this;
        }

        /**
         * How long one request may wait for the database's answer before its transaction fails (JDBC's
         * {@link Connection#setNetworkTimeout network timeout}; with {@link #builder(String, String, String)} and
         * PostgreSQL also the driver's {@code loginTimeout} and {@code socketTimeout}, unless the URL sets them). A
         * database that stops answering without closing its connections (a partition, a frozen server) then fails
         * appends after that long, and each publish waiting on them completes. It bounds waits for an answer, not a
         * write: a batch larger than the socket's buffers, sent to a database that stopped reading, waits until the
         * operating system gives up on the connection. From 1 s to 1 hour; default 30 s.
         */
        public Builder networkTimeout(Duration timeout) {
            Objects.requireNonNull(timeout, "networkTimeout");
            if (timeout.compareTo(Duration.ofSeconds(1)) < 0 || timeout.compareTo(Duration.ofHours(1)) > 0) {
                throw new IllegalArgumentException("networkTimeout must be from 1 s to 1 hour, but was " + timeout);
            }
            this.networkTimeout = timeout;
            return this;
        }

        /**
         * Connects, creates the table if it is missing, and counts what it holds.
         *
         * @throws SpillException when it cannot; the message names the URL (without credentials) and the table
         */
        public JdbcSpillStore open() {
            String where = " table " + schema.table();
            if (dataSource == null) {
                Properties credentials = new Properties();
                if (user != null) {
                    credentials.setProperty("user", user);
                }
                if (password != null) {
                    credentials.setProperty("password", password);
                }
                if (url.contains(":postgresql:")) {   // pgjdbc, or a driver wrapping it (jdbc:otel:postgresql:, say)
                    // It waits for a login answer for ever by default (a frozen server would hold a reconnect), and the
                    // thread it waits on ends only with a socket timeout. A setting in the URL wins over these.
                    String seconds = Long.toString(Math.max(1, networkTimeout.toSeconds()));
                    credentials.setProperty("loginTimeout", seconds);
                    credentials.setProperty("socketTimeout", seconds);
                }
                Connections held = Connections.held(() -> DriverManager.getConnection(url, credentials));
                return new JdbcSpillStore(SqlSpill.open(Connections.withNetworkTimeout(held, networkTimeout),
                        schema, JdbcUrl.withoutCredentials(url) + where, Redaction.of(password, url), maxEvents, maxBytes));
            }
            String url = urlOf(dataSource, where);
            return new JdbcSpillStore(SqlSpill.open(Connections.withNetworkTimeout(Connections.borrowed(dataSource),
                    networkTimeout), schema,
                    JdbcUrl.withoutCredentials(url) + where, Redaction.of(null, url), maxEvents, maxBytes));
        }

        // The data source's URL, from a first connection, which also shows that the database answers.
        private static String urlOf(DataSource dataSource, String where) {
            String store = "DataSource " + dataSource.getClass().getName() + where;
            try (Connection connection = dataSource.getConnection()) {
                String url = connection.getMetaData().getURL();
                return url == null ? dataSource.getClass().getName() : url;
            } catch (SQLException | RuntimeException e) {
                // Its URL is not known here, and a driver may echo it, credentials and all: each one in the text goes.
                Redaction redaction = Redaction.ofUrlsIn(e);
                String message = redaction.apply(e.getMessage());
                throw new SpillException(store, "Spill " + store + " could not open: cannot get a connection ("
                        + (message == null ? e.getClass().getName() : message.lines().findFirst().orElse("")) + ")",
                        redaction.apply((Throwable) e));
            }
        }
    }
}
