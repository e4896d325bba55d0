package io.breakwater.spill.internal;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.Objects;

/**
 * A held connection to a SQLite file, and which file it opened (its file key: device and inode on Unix), taken when
 * the connection is opened. {@link #checkWritable()} refuses a write once the path no longer leads to that file (on a
 * platform without file keys: once the path leads to no file). One stat per append, beside the append's fsync.
 */
final class FileWatch extends Connections {

    // A write refused: Failures puts it after what could not be done.
    private static final String DELETED = "the file was deleted or replaced while the store had it open, so an append "
            + "would not survive a restart; the events held are still replayed, and lost if the store closes first. "
            + "Close the store and open it again to start a new file";

    private final Connections inner;
    private final Path file;
    // The connection last acquired, and the key of the file it opened; null until the first acquire.
    private Connection opened;
    private Object key;

    FileWatch(Connections inner, Path file) {
        this.inner = inner;
        this.file = file;
    }

    @Override
    Connection acquire() throws SQLException {
        Connection connection = inner.acquire();
        if (connection != opened) {
            try {
                key = keyOf();
            } catch (IOException e) {
                inner.release(connection, true);
                throw new SQLException("cannot read the attributes of " + file + " (" + e + ")", e);
            }
            opened = connection;
        }
        return connection;
    }

    @Override
    void checkWritable() throws SQLException {
        if (opened == null) {
            return; // no connection held: the next one opens the file as the path has it
        }
        Object now;
        try {
            now = keyOf();
        } catch (NoSuchFileException e) {
            now = null;
        } catch (IOException e) {
            throw new SQLException("cannot read the attributes of " + file + " (" + e + ")", e);
        }
        if (!Objects.equals(key, now)) {
            throw new SQLException(DELETED);
        }
    }

    // Where the platform gives no file key, only whether the file is there.
    private Object keyOf() throws IOException {
        Object fileKey = Files.readAttributes(file, BasicFileAttributes.class).fileKey();
        return fileKey != null ? fileKey : Boolean.TRUE;
    }

    @Override
    void release(Connection connection, boolean failed) {
        if (failed && connection == opened) {
            opened = null;
            key = null;
        }
        inner.release(connection, failed);
    }

    @Override
    void close() throws SQLException {
        opened = null;
        inner.close();
    }
}
