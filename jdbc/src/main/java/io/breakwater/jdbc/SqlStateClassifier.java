package io.breakwater.jdbc;

import io.breakwater.breaker.CircuitBreakerOpenException;
import io.breakwater.breaker.GuardClosedException;
import java.io.IOException;
import java.sql.SQLException;
import java.sql.SQLNonTransientConnectionException;
import java.sql.SQLRecoverableException;
import java.sql.SQLTimeoutException;
import java.sql.SQLTransientConnectionException;
import java.util.ArrayDeque;
import java.util.Collections;
import java.util.Deque;
import java.util.IdentityHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.Predicate;
import java.util.regex.Pattern;

/**
 * Decides whether a database failure counts against a breaker, by SQLState. {@link #test(Throwable)} is true
 * when the failure says the database is unavailable; a caller's error (a duplicate key, bad SQL, bad data,
 * a deadlock victim) reaches the caller but must not open the breaker for everyone.
 *
 * <table>
 *   <caption>The default table</caption>
 *   <tr><th>SQLState</th><th>meaning</th><th>counts</th></tr>
 *   <tr><td>class 08</td><td>connection exception</td><td>yes</td></tr>
 *   <tr><td>class 53</td><td>insufficient resources (disk full, out of memory, too many connections)</td><td>yes</td></tr>
 *   <tr><td>57P01, 57P02, 57P03</td><td>admin shutdown, crash shutdown, cannot connect now</td><td>yes</td></tr>
 *   <tr><td>class 22</td><td>data exception</td><td>no</td></tr>
 *   <tr><td>class 23</td><td>integrity constraint violation (unique key, foreign key, not null)</td><td>no</td></tr>
 *   <tr><td>class 40</td><td>transaction rollback (serialization failure, deadlock)</td><td>no</td></tr>
 *   <tr><td>class 42</td><td>syntax error or access rule violation</td><td>no</td></tr>
 *   <tr><td>any other</td><td></td><td>no (see {@link Builder#otherwise(boolean)})</td></tr>
 * </table>
 *
 * <p>A full five-character code in the table wins over its class. When the SQLState decides nothing (it is
 * missing, or not in the table), the type does: {@link SQLTimeoutException}, {@link SQLTransientConnectionException},
 * {@link SQLNonTransientConnectionException}, {@link SQLRecoverableException} and {@link IOException} count.
 * A refusal ({@link CircuitBreakerOpenException}, {@link CircuitBreakerOpenSqlException}) never counts, whatever
 * its SQLState: it says nothing new about the database.
 *
 * <p>The chain is walked outermost first: the failure, its causes, and each {@link SQLException}'s
 * {@link SQLException#getNextException() next exceptions}, each once, at most {@value #MAX_WALK} of them. The
 * first that decides wins; when none does, the {@linkplain Builder#otherwise(boolean) default} applies.
 *
 * <p>Immutable and thread-safe. Also usable as a breaker's own predicate:
 * {@code CircuitBreakerConfig.builder(name).recordFailure(SqlStateClassifier.defaults())}.
 */
public final class SqlStateClassifier implements Predicate<Throwable> {

    /** How many throwables of one chain are looked at, at most. */
    public static final int MAX_WALK = 64;

    private static final Pattern CODE = Pattern.compile("[0-9A-Z]{2}|[0-9A-Z]{5}");
    private static final SqlStateClassifier DEFAULTS = builder().build();

    private final Map<String, Boolean> table;
    private final boolean otherwise;

    private SqlStateClassifier(Map<String, Boolean> table, boolean otherwise) {
        this.table = Collections.unmodifiableMap(new TreeMap<>(table));
        this.otherwise = otherwise;
    }

    /** The default table (see the class description). */
    public static SqlStateClassifier defaults() {
        return DEFAULTS;
    }

    /** A builder that starts from the default table. */
    public static Builder builder() {
        return new Builder();
    }

    /** A builder that starts from this classifier's table and default. */
    public Builder toBuilder() {
        Builder b = new Builder();
        b.table.clear();
        b.table.putAll(table);
        b.otherwise = otherwise;
        return b;
    }

    /** True when {@code failure} counts against the breaker: the database is unavailable. */
    @Override
    public boolean test(Throwable failure) {
        Objects.requireNonNull(failure, "failure");
        Set<Throwable> seen = Collections.newSetFromMap(new IdentityHashMap<>());
        Deque<Throwable> pending = new ArrayDeque<>();
        pending.push(failure);
        while (!pending.isEmpty() && seen.size() < MAX_WALK) {
            Throwable t = pending.pop();
            if (!seen.add(t)) {
                continue;
            }
            Boolean verdict = verdict(t);
            if (verdict != null) {
                return verdict;
            }
            // Depth first, outermost first: the next exceptions after the causes (pushed first, popped last).
            if (t instanceof SQLException sql && sql.getNextException() != null) {
                pending.push(sql.getNextException());
            }
            if (t.getCause() != null) {
                pending.push(t.getCause());
            }
        }
        return otherwise;
    }

    /** What {@code t} alone says: true or false when it decides, null when it does not. */
    private Boolean verdict(Throwable t) {
        if (t instanceof CircuitBreakerOpenException || t instanceof CircuitBreakerOpenSqlException
                || t instanceof GuardClosedException || t.getCause() instanceof GuardClosedException) {
            return false;   // nothing was attempted: a refusal, or a guard used after its close (08003 outside)
        }
        if (t instanceof SQLException sql) {
            String state = sql.getSQLState();
            if (state != null && state.length() >= 2) {
                Boolean byCode = state.length() == 5 ? table.get(state.toUpperCase(Locale.ROOT)) : null;
                Boolean byClass = table.get(state.substring(0, 2).toUpperCase(Locale.ROOT));
                if (byCode != null || byClass != null) {
                    return byCode != null ? byCode : byClass;
                }
            }
            if (sql instanceof SQLTimeoutException || sql instanceof SQLTransientConnectionException
                    || sql instanceof SQLNonTransientConnectionException || sql instanceof SQLRecoverableException) {
                return true;
            }
            return null;
        }
        return t instanceof IOException ? Boolean.TRUE : null;
    }

    /** The table: SQLState classes (two characters) and codes (five) to whether they count, sorted. */
    public Map<String, Boolean> table() {
        return table;
    }

    /** Whether a failure that nothing in its chain decides counts. */
    public boolean otherwiseCounts() {
        return otherwise;
    }

    @Override
    public String toString() {
        return "SqlStateClassifier" + table + ", otherwise " + (otherwise ? "counts" : "does not count");
    }

    /** Changes a table; {@link #build()} copies it, so a builder may be reused. Not thread-safe. */
    public static final class Builder {
        private final Map<String, Boolean> table = new TreeMap<>();
        private boolean otherwise;

        private Builder() {
            for (String code : new String[] {"08", "53", "57P01", "57P02", "57P03"}) {
                table.put(code, true);
            }
            for (String code : new String[] {"22", "23", "40", "42"}) {
                table.put(code, false);
            }
        }

        /** These SQLState classes (two characters, {@code "08"}) or codes (five, {@code "25006"}) count. */
        public Builder counts(String... codes) {
            return put(codes, true, "counts");
        }

        /** These SQLState classes or codes do not count. */
        public Builder doesNotCount(String... codes) {
            return put(codes, false, "doesNotCount");
        }

        /** Takes these classes or codes out of the table: they decide nothing any more. */
        public Builder remove(String... codes) {
            for (String code : checked(codes, "remove")) {
                table.remove(code);
            }
            return this;
        }

        /** Empties the table (the rules by type still apply). */
        public Builder clear() {
            table.clear();
            return this;
        }

        /** Whether a failure that nothing in its chain decides counts (default false). */
        public Builder otherwise(boolean counts) {
            this.otherwise = counts;
            return this;
        }

        public SqlStateClassifier build() {
            return new SqlStateClassifier(table, otherwise);
        }

        private Builder put(String[] codes, boolean counts, String method) {
            for (String code : checked(codes, method)) {
                table.put(code, counts);
            }
            return this;
        }

        /** {@code codes} in upper case, each checked. */
        private static String[] checked(String[] codes, String method) {
            Objects.requireNonNull(codes, method);
            if (codes.length == 0) {
                throw new IllegalArgumentException(method + " needs at least one SQLState class or code");
            }
            String[] upper = new String[codes.length];
            for (int i = 0; i < codes.length; i++) {
                String code = codes[i];
                upper[i] = code == null ? null : code.toUpperCase(Locale.ROOT);
                if (upper[i] == null || !CODE.matcher(upper[i]).matches()) {
                    throw new IllegalArgumentException(method + ": a SQLState class is 2 and a code 5 characters of "
                            + "[0-9A-Z], but was " + (code == null ? "null" : "'" + code + "'"));
                }
            }
            return upper;
        }
    }
}
