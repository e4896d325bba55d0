package io.breakwater.spill.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.breakwater.spill.SpillException;
import io.breakwater.spill.SpilledEvent;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.sqlite.SQLiteConfig;

/**
 * A SQLite file deleted after an append's check and before its commit: the append went to the unlinked file, which no
 * restart finds. It is taken out again and reported failed, as one refused before it began.
 */
class AppendToAMovedFileTest {

    @TempDir
    Path dir;

    private Path file;
    private Deleting deleting;
    private SqlSpill spill;

    @BeforeEach
    void open() {
        file = dir.resolve("spill.db");
        SQLiteConfig config = new SQLiteConfig();
        config.setJournalMode(SQLiteConfig.JournalMode.WAL);
        config.setLockingMode(SQLiteConfig.LockingMode.EXCLUSIVE);
        deleting = new Deleting(Connections.held(() -> config.createConnection("jdbc:sqlite:" + file)), file);
        spill = SqlSpill.open(Connections.watchingFile(deleting, file), Schema.sqlite(), "sqlite:" + file,
                Redaction.none(), 1_000, 1 << 20);
    }

    @AfterEach
    void close() {
        spill.close();
    }

    private static SpilledEvent event(long order) {
        return SpilledEvent.of("s", "t", "k" + order, ("payload " + order).getBytes(StandardCharsets.UTF_8), Map.of(),
                order, 1_000 + order);
    }

    /** Regression: such an append returned as durable. */
    @Test
    void anAppendWhoseFileWasDeletedBeforeItsCommitIsTakenOutAndReportedFailed() {
        List<SpilledEvent> held = spill.append(List.of(event(1)));
        deleting.armed = true; // the append's transaction acquires the connection after the check before it

        assertThatThrownBy(() -> spill.append(List.of(event(2), event(3))))
                .isInstanceOf(SpillException.class)
                .hasMessage("Spill sqlite:" + file + " could not append 2 event(s): the file was deleted or replaced "
                        + "while the store had it open, so an append would not survive a restart; the events held are "
                        + "still replayed while it stays open. Close the store and open it again to start a new file "
                        + "(or to open the one now at its path)");
        assertThat(file).doesNotExist();
        assertThat(spill.oldest("s", 10)).containsExactlyElementsOf(held);
        assertThat(spill.events("s")).isEqualTo(1);
        assertThat(spill.stats().events()).isEqualTo(1);
        assertThatThrownBy(() -> spill.append(List.of(event(4)))).isInstanceOf(SpillException.class)
                .hasMessageContaining("the file was deleted or replaced while the store had it open");
    }

    @Test
    void whenTakingItOutFailsTooTheFailureSaysSoAndTheCountsAreLoadedAgain() {
        spill.append(List.of(event(1)));
        deleting.armed = true;
        deleting.refuseAfterDeleting = true;

        assertThatThrownBy(() -> spill.append(List.of(event(2))))
                .isInstanceOf(SpillException.class)
                .hasMessageContaining("the file was deleted or replaced while the store had it open")
                .satisfies(e -> assertThat(e.getCause().getSuppressed()).singleElement()
                        .satisfies(s -> assertThat(s).hasMessage("no connection now")));
        // The unlinked file holds the event reported failed: the store counts what it holds, so that it is replayed
        // (a duplicate of a publish reported failed, which consumers drop by its eventId), not left uncounted.
        assertThatThrownBy(() -> spill.append(List.of(event(3)))).isInstanceOf(SpillException.class);
        assertThat(spill.events("s")).isEqualTo(2);
        assertThat(spill.oldest("s", 10)).extracting(SpilledEvent::order).containsExactly(1L, 2L);
    }

    /** Deletes the file once armed, when the next transaction acquires its connection; then may refuse one acquire. */
    private static final class Deleting extends Connections {

        private final Connections inner;
        private final Path file;
        volatile boolean armed;
        volatile boolean refuseAfterDeleting;
        private boolean deleted;

        Deleting(Connections inner, Path file) {
            this.inner = inner;
            this.file = file;
        }

        @Override
        Connection acquire() throws SQLException {
            if (deleted && refuseAfterDeleting) {
                refuseAfterDeleting = false;
                throw new SQLException("no connection now");
            }
            Connection connection = inner.acquire();
            if (armed) {
                armed = false;
                deleted = true;
                try {
                    Files.delete(file);
                } catch (java.io.IOException e) {
                    throw new SQLException(e);
                }
            }
            return connection;
        }

        @Override
        void release(Connection connection, boolean failed) {
            inner.release(connection, failed);
        }

        @Override
        void close() throws SQLException {
            inner.close();
        }
    }
}
