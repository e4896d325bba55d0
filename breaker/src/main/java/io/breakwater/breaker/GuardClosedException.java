package io.breakwater.breaker;

/**
 * A guard (a guarded data source, say) was used after its close: nothing was attempted, so the failure says nothing of
 * the resource behind it and counts into no breaker. A guard throws it, or its own kind of exception caused by it (a
 * {@code SQLException} with SQL state 08003). A gated consumer whose handler meets it does not hand the record to its
 * failed-record handler: the resource is gone, typically because the application is stopping and closed it before the
 * consumer, so the consumer backs off, commits nothing past the record, and tries it again until it is closed itself;
 * the next run takes the record from there.
 */
public class GuardClosedException extends IllegalStateException {

    private static final long serialVersionUID = 1L;

    private final String guard;

    /** {@code guard} names what was closed: "the CircuitBreakerDataSource of breaker 'orders-db'". */
    public GuardClosedException(String guard) {
        super(guard + " is closed");
        this.guard = guard;
    }

    /** What was closed. */
    public String guard() {
        return guard;
    }
}
