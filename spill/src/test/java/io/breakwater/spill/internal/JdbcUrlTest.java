package io.breakwater.spill.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.sql.SQLException;
import org.junit.jupiter.api.Test;

class JdbcUrlTest {

    @Test
    void keepsAUrlWithoutCredentialsAsItIs() {
        assertThat(JdbcUrl.withoutCredentials("jdbc:postgresql://127.0.0.1:5432/test")).isEqualTo("jdbc:postgresql://127.0.0.1:5432/test");
        assertThat(JdbcUrl.withoutCredentials("jdbc:postgresql://db/app?user=me&ssl=true"))
                .isEqualTo("jdbc:postgresql://db/app?user=me&ssl=true");
        assertThat(JdbcUrl.withoutCredentials("jdbc:h2:mem:x")).isEqualTo("jdbc:h2:mem:x");
    }

    @Test
    void dropsPasswordParameters() {
        assertThat(JdbcUrl.withoutCredentials("jdbc:postgresql://db/app?user=me&password=p%40ss&ssl=true"))
                .isEqualTo("jdbc:postgresql://db/app?user=me&ssl=true");
        assertThat(JdbcUrl.withoutCredentials("jdbc:postgresql://db/app?PASSWORD=x")).isEqualTo("jdbc:postgresql://db/app");
        assertThat(JdbcUrl.withoutCredentials("jdbc:postgresql://db/app?sslpassword=x&sslmode=require&pwd=y"))
                .isEqualTo("jdbc:postgresql://db/app?sslmode=require");
        assertThat(JdbcUrl.withoutCredentials("jdbc:sqlserver://db:1433;databaseName=app;password=p;user=me"))
                .isEqualTo("jdbc:sqlserver://db:1433;databaseName=app;user=me");
    }

    @Test
    void dropsUserAndPasswordBeforeTheHostEvenWithAtSignsInThePassword() {
        assertThat(JdbcUrl.withoutCredentials("jdbc:mysql://me:p@ss:w/rd@db:3306/app")).isEqualTo("jdbc:mysql://db:3306/app");
        assertThat(JdbcUrl.withoutCredentials("jdbc:postgresql://me@db/app")).isEqualTo("jdbc:postgresql://db/app");
        assertThat(JdbcUrl.withoutCredentials("jdbc:postgresql://me:pa?ss@db/app?ssl=true")).isEqualTo("jdbc:postgresql://db/app?ssl=true");
        assertThat(JdbcUrl.withoutCredentials("jdbc:postgresql://me:p@ss@db/app?user=me@server"))
                .isEqualTo("jdbc:postgresql://db/app?user=me@server");
    }

    @Test
    void keepsAtSignsInParametersAndEndsAPasswordWhereTheDriverDoes() {
        assertThat(JdbcUrl.withoutCredentials("jdbc:postgresql://db/app?user=me@server&password=p@ss:w/rd;%&=&ssl=true"))
                .isEqualTo("jdbc:postgresql://db/app?user=me@server&ssl=true");
        assertThat(JdbcUrl.secrets("jdbc:postgresql://db/app?user=me@server&password=p@ss:w/rd;%&=")).containsExactly("p@ss:w/rd;%");
    }

    @Test
    void findsTheSecretsAsWrittenAndDecoded() {
        assertThat(JdbcUrl.secrets("jdbc:postgresql://u:a%2Fb@db/app?password=p%40ss&x=1"))
                .containsExactly("a%2Fb", "a/b", "p%40ss", "p@ss");
        assertThat(JdbcUrl.secrets("jdbc:postgresql://db/app?password=100%")).containsExactly("100%");
        assertThat(JdbcUrl.secrets("jdbc:postgresql://db/app?password=")).isEmpty();
    }

    @Test
    void aRedactionReplacesThePasswordAndTheUrlEverywhereInAChain() {
        String password = "p@ss:w/rd;%&=";
        String url = "jdbc:nosuch://db/app?password=other&x=1";
        Redaction redaction = Redaction.of(password, url);
        SQLException error = new SQLException("No suitable driver found for " + url, "08001", 7,
                new IllegalStateException("tried " + password));

        Throwable redacted = redaction.apply(error);

        assertThat(redacted).isInstanceOf(SQLException.class)
                .hasMessage("No suitable driver found for jdbc:nosuch://db/app?x=1")
                .hasToString("java.sql.SQLException (redacted): No suitable driver found for jdbc:nosuch://db/app?x=1");
        assertThat(((SQLException) redacted).getSQLState()).isEqualTo("08001");
        assertThat(((SQLException) redacted).getErrorCode()).isEqualTo(7);
        assertThat(redacted.getCause()).hasMessage("tried ****").hasToString("java.lang.IllegalStateException (redacted): tried ****");
        assertThat(redacted.getStackTrace()).isEqualTo(error.getStackTrace());
        assertThat(redaction.apply("other " + password)).isEqualTo("**** ****");

        SQLException clean = new SQLException("Connection refused");
        assertThat((Object) redaction.apply(clean)).isSameAs(clean);
        assertThat(Redaction.none().apply("p@ss")).isEqualTo("p@ss");
    }
}
