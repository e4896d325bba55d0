package io.breakwater.spill;

import io.breakwater.spill.internal.SqlSpill;
import java.util.List;
import java.util.Set;

/** What {@link SqliteSpillStore} and {@link JdbcSpillStore} share: every method is their table's {@link SqlSpill}. */
abstract class SqlBackedStore implements SpillStore {

    private final SqlSpill spill;

    SqlBackedStore(SqlSpill spill) {
        this.spill = spill;
    }

    @Override
    public List<SpilledEvent> append(List<SpilledEvent> events) {
        return spill.append(events);
    }

    @Override
    public List<SpilledEvent> oldest(String stream, int max) {
        return spill.oldest(stream, max);
    }

    @Override
    public void remove(List<SpilledEvent> events) {
        spill.remove(events);
    }

    @Override
    public long highestOrder(String stream) {
        return spill.highestOrder(stream);
    }

    @Override
    public Set<String> streams() {
        return spill.streams();
    }

    @Override
    public long events(String stream) {
        return spill.events(stream);
    }

    @Override
    public SpillStats stats() {
        return spill.stats();
    }

    @Override
    public long maxEvents() {
        return spill.maxEvents();
    }

    @Override
    public long maxBytes() {
        return spill.maxBytes();
    }

    @Override
    public String describe() {
        return spill.describe();
    }

    @Override
    public void close() {
        spill.close();
    }
}
