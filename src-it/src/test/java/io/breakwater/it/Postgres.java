package io.breakwater.it;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.UUID;

/**
 * The PostgreSQL of this machine (127.0.0.1:5432, database {@code test}, user {@code postgres}, trust auth; override
 * with {@code -Dbreakwater.postgres.host}, {@code .port}, {@code .database}, {@code .user}, {@code .password}), and
 * tables of one test each, created and dropped directly, never through a proxy under test.
 */
final class Postgres {

    static final String HOST = System.getProperty("breakwater.postgres.host", "127.0.0.1");
    static final int PORT = Integer.getInteger("breakwater.postgres.port", 5432);
    static final String DATABASE = System.getProperty("breakwater.postgres.database", "test");
    static final String USER = System.getProperty("breakwater.postgres.user", "postgres");
    static final String PASSWORD = System.getProperty("breakwater.postgres.password", "");

    private Postgres() {
    }

    static String url(String host, int port) {
        return "jdbc:postgresql://" + host + ":" + port + "/" + DATABASE;
    }

    /** A HikariCP pool of {@code size} connections to {@code host:port} with Hikari's and pgjdbc's defaults otherwise. */
    static HikariDataSource pool(String name, String host, int port, int size) {
        HikariConfig config = new HikariConfig();
        config.setPoolName(name);
        config.setJdbcUrl(url(host, port));
        config.setUsername(USER);
        config.setPassword(PASSWORD);
        config.setMaximumPoolSize(size);
        return new HikariDataSource(config);
    }

    /** A new table {@code (k BIGINT PRIMARY KEY, v TEXT)} with a name of its own; returns the name. */
    static String createTable(String prefix) throws SQLException {
        String table = prefix + "_" + UUID.randomUUID().toString().replace("-", "").substring(0, 12);
        execute("CREATE TABLE " + table + " (k BIGINT PRIMARY KEY, v TEXT)");
        return table;
    }

    static void dropTable(String table) throws SQLException {
        if (table != null) {
            execute("DROP TABLE IF EXISTS " + table);
        }
    }

    static long count(String table) throws SQLException {
        try (Connection c = DriverManager.getConnection(url(HOST, PORT), USER, PASSWORD);
             Statement s = c.createStatement();
             var rows = s.executeQuery("SELECT count(*) FROM " + table)) {
            rows.next();
            return rows.getLong(1);
        }
    }

    private static void execute(String sql) throws SQLException {
        try (Connection c = DriverManager.getConnection(url(HOST, PORT), USER, PASSWORD); Statement s = c.createStatement()) {
            s.execute(sql);
        }
    }
}
