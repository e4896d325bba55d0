package io.breakwater.spill;

/**
 * A spill store could not do what it was asked: open, read or write. The message names the store
 * ({@link SpillStore#describe()}) and says why; it never shows a password.
 */
public class SpillException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    private final String store;

    /**
     * @param store   {@link SpillStore#describe()} of the store that failed
     * @param message the whole message, which names the store
     * @param cause   the underlying failure, or null
     */
    public SpillException(String store, String message, Throwable cause) {
        super(message, cause);
        this.store = store;
    }

    /** {@link SpillStore#describe()} of the store that failed. */
    public String store() {
        return store;
    }
}
