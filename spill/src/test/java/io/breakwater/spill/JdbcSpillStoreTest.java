package io.breakwater.spill;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** What {@link JdbcSpillStore} does without a database: names, DDL, URLs. {@code JdbcSpillStoreIT} does the rest. */
class JdbcSpillStoreTest {

    static final String PASSWORD = "p@ss:w/rd;%&=";

    @ParameterizedTest
    @ValueSource(strings = {"breakwater_spill", "app.spill", "_x1", "Spill", "a23456789012345678901234567890123456789012345678"})
    void plainIdentifiersAreTables(String table) {
        assertThat(JdbcSpillStore.ddl(table)).startsWith("CREATE TABLE IF NOT EXISTS " + table + " (");
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "1abc", "a-b", "a.b.c", ".a", "a.", "spill; DROP TABLE users", "\"quoted\"", "a .b", "tä",
            "spill--", "a/*x*/"})
    void anythingElseIsRefusedWithTheRule(String table) {
        assertThatThrownBy(() -> JdbcSpillStore.builder("jdbc:postgresql://db/app", null, null).table(table))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("table must be a plain SQL identifier, optionally after a schema and a dot (letters, digits and _, "
                        + "not starting with a digit, as in breakwater_spill or app.spill), but was '" + table + "'");
    }

    @Test
    void tableNamesLeaveRoomForTheirIndexNames() {
        String long49 = "a".repeat(49);
        assertThatThrownBy(() -> JdbcSpillStore.ddl(long49)).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("table must be at most 48 characters (its schema at most 63), to leave room for the names of "
                        + "its indexes, but was '" + long49 + "'");
        assertThatThrownBy(() -> JdbcSpillStore.ddl(null)).isInstanceOf(NullPointerException.class).hasMessage("table");
    }

    @Test
    void indexesOfASchemaQualifiedTableAreNamedAfterTheTableAlone() {
        assertThat(JdbcSpillStore.ddl("app.events"))
                .contains("CREATE INDEX IF NOT EXISTS events_replay ON app.events (stream, ordering, sequence);")
                .contains("CREATE INDEX IF NOT EXISTS events_age ON app.events (spilled_at_ms);");
    }

    @Test
    void theDdlConstantIsTheOneTheJavadocAndTheReadmeShow() throws Exception {
        String source = Files.readString(Path.of("src/main/java/io/breakwater/spill/JdbcSpillStore.java"));
        String javadoc = source.lines().map(l -> l.replaceFirst("^ \\* ?", "")).collect(Collectors.joining("\n"));
        assertThat(javadoc).contains(JdbcSpillStore.DDL);
        assertThat(Files.readString(Path.of("../README.md"))).contains(JdbcSpillStore.DDL);
    }

    @Test
    void builderArgumentsAreChecked() {
        assertThatThrownBy(() -> JdbcSpillStore.builder((javax.sql.DataSource) null))
                .isInstanceOf(NullPointerException.class).hasMessage("dataSource");
        assertThatThrownBy(() -> JdbcSpillStore.builder(null, "u", "p")).isInstanceOf(NullPointerException.class).hasMessage("jdbcUrl");
        assertThatThrownBy(() -> JdbcSpillStore.builder("postgresql://u:" + PASSWORD + "@db/app", "u", "p"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("jdbcUrl must start with 'jdbc:', as in jdbc:postgresql://host:5432/db, but was postgresql://db/app");
        assertThatThrownBy(() -> JdbcSpillStore.builder("jdbc:postgresql://app:" + PASSWORD + "@db:5432/app?ssl=true", null, null))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("jdbcUrl must not carry user:password@ before the host: the PostgreSQL driver does not read them "
                        + "there, and would log the URL, password and all; give them as the user and password arguments, but was "
                        + "jdbc:postgresql://db:5432/app?ssl=true");
        for (String url : List.of("jdbc:postgresql://db:5432/app?user=me@corp", "jdbc:postgresql://db:5432/app@eu",
                "jdbc:postgresql://db/app@eu?ssl=true")) {
            assertThat(JdbcSpillStore.builder(url, null, null)).as("an @ in a parameter or the database: %s", url).isNotNull();
        }
        for (String url : List.of("jdbc:postgresql://app:s3cret@db/app", "jdbc:postgresql://app@db:5432/app",
                "jdbc:postgresql://app:s3cret@db", "jdbc:otel:postgresql://app:pa/ss@db:5432/app")) {
            assertThatThrownBy(() -> JdbcSpillStore.builder(url, null, null)).as(url)
                    .isInstanceOf(IllegalArgumentException.class).hasMessageStartingWith("jdbcUrl must not carry user:password@");
        }
        assertThatThrownBy(() -> JdbcSpillStore.builder("jdbc:postgresql://db/app", "u", "p").maxEvents(0))
                .isInstanceOf(IllegalArgumentException.class).hasMessage("maxEvents must be > 0, but was 0");
        assertThatThrownBy(() -> JdbcSpillStore.builder("jdbc:postgresql://db/app", "u", "p").maxBytes(0))
                .isInstanceOf(IllegalArgumentException.class).hasMessage("maxBytes must be > 0, but was 0");
    }

    @Test
    void aUrlNoDriverTakesIsReportedWithoutItsPasswords() {
        String url = "jdbc:nosuch://u:" + PASSWORD + "@db/app?password=other-secret&ssl=true";

        assertThatThrownBy(() -> JdbcSpillStore.builder(url, "u", PASSWORD).open())
                .isInstanceOf(SpillException.class)
                .hasMessage("Spill jdbc:nosuch://db/app?ssl=true table breakwater_spill could not open: no JDBC driver on the "
                        + "class path takes this URL; add one (for PostgreSQL, org.postgresql:postgresql) (No suitable driver "
                        + "found for jdbc:nosuch://db/app?ssl=true)")
                .satisfies(e -> assertThat(printed(e)).doesNotContain(PASSWORD).doesNotContain("other-secret"));
    }

    @Test
    void aDataSourceThatCannotConnectIsReportedWithoutThePasswordsItsDriverEchoes() {
        String url = "jdbc:postgresql://u:" + PASSWORD + "@db/app?password=other-secret&ssl=true";
        javax.sql.DataSource echoing = dataSource(new java.sql.SQLException("No suitable driver found for " + url, "08001"));

        assertThatThrownBy(() -> JdbcSpillStore.builder(echoing).open())
                .isInstanceOf(SpillException.class)
                .hasMessageContaining("could not open: cannot get a connection (No suitable driver found for "
                        + "jdbc:postgresql://db/app?ssl=true)")
                .satisfies(e -> assertThat(printed(e)).doesNotContain(PASSWORD).doesNotContain("other-secret"));
        for (String odd : List.of("jdbc:postgresql://db/app?user=u&password=correct horse",
                "jdbc:postgresql://db/app?password=ab)cd", "jdbc:postgresql://app:pa ss@db/app")) {
            javax.sql.DataSource echoes = dataSource(new java.sql.SQLException("No suitable driver found for " + odd));
            assertThatThrownBy(() -> JdbcSpillStore.builder(echoes).open()).isInstanceOf(SpillException.class)
                    .satisfies(e -> assertThat(printed(e)).as(odd).doesNotContain("horse").doesNotContain("correct")
                            .doesNotContain("cd").doesNotContain("pa ss"));
        }
        javax.sql.DataSource broken = dataSource(new IllegalStateException("pool not started"));
        assertThatThrownBy(() -> JdbcSpillStore.builder(broken).open()).isInstanceOf(SpillException.class)
                .hasMessageContaining("could not open: cannot get a connection (pool not started)");
    }

    /** A data source whose getConnection() throws {@code failure}. */
    private static javax.sql.DataSource dataSource(Exception failure) {
        return (javax.sql.DataSource) java.lang.reflect.Proxy.newProxyInstance(JdbcSpillStoreTest.class.getClassLoader(),
                new Class<?>[] {javax.sql.DataSource.class}, (proxy, method, args) -> {
                    if (method.getName().equals("getConnection")) {
                        throw failure;
                    }
                    return method.getName().equals("toString") ? "failing data source" : null;
                });
    }

    static String printed(Throwable e) {
        StringWriter text = new StringWriter();
        e.printStackTrace(new PrintWriter(text));
        return text.toString();
    }
}
