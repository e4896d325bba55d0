package io.breakwater.status.internal;

import java.util.HashMap;
import java.util.Map;
import java.util.function.Consumer;
import java.util.function.Supplier;

/**
 * One value per key in a JVM, shared by handles: the first {@link #acquire} makes it, the last {@link #release}
 * forgets it. Values are made without holding the lock that every release needs (making one may take a while: a
 * producer's DNS look-ups, a SASL login). Thread-safe.
 */
public final class SharedByKey<K, V> {

    private record Entry<V>(V value, int[] handles) {
    }

    // Guarded by `this`.
    private final Map<K, Entry<V>> entries = new HashMap<>();

    /**
     * One more handle on the value of {@code key}, made by {@code factory} if there is none; a value made meanwhile by
     * another thread wins, and the one made here is handed to {@code discard}.
     */
    public V acquire(K key, Supplier<V> factory, Consumer<V> discard) {
        synchronized (this) {
            Entry<V> entry = entries.get(key);
            if (entry != null) {
                entry.handles()[0]++;
                return entry.value();
            }
        }
        V made = factory.get();
        V shared;
        synchronized (this) {
            Entry<V> entry = entries.computeIfAbsent(key, k -> new Entry<>(made, new int[1]));
            entry.handles()[0]++;
            shared = entry.value();
        }
        if (shared != made) {
            discard.accept(made);
        }
        return shared;
    }

    /** One handle fewer on {@code value}, the value of {@code key}; true when it was the last, and the value is forgotten. */
    public synchronized boolean release(K key, V value) {
        Entry<V> entry = entries.get(key);
        if (entry == null || entry.value() != value || --entry.handles()[0] > 0) {
            return false;
        }
        entries.remove(key);
        return true;
    }
}
