package io.breakwater.interceptors.internal;

import io.breakwater.breaker.CircuitBreaker;
import io.breakwater.interceptors.BreakwaterConfig;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.errors.TimeoutException;

/**
 * A wrapper's part in its producer's transactions: a send that the wrapper refuses while a transaction is open dooms
 * that transaction, as a failed send dooms a Kafka transaction. Its commit then fails and commits nothing; the caller
 * aborts it. Thread-safe: the sends of one transaction may come from many threads.
 */
public final class TransactionRefusals {

    // Between a beginTransaction and the commit or abort that ends it.
    private volatile boolean open;
    // The first refusal in the open transaction; null while there is none.
    private final AtomicReference<RuntimeException> first = new AtomicReference<>();

    /** Refuses {@code initTransactions} in non-blocking mode, and at once while {@code breaker} refuses calls. */
    public static void checkInit(boolean nonBlocking, CircuitBreaker breaker) {
        checkBegin(nonBlocking);
        if (breaker.refusesNow()) {   // not state(): once the retry time has come, the next send is the trial
            throw breaker.openException();
        }
    }

    /**
     * Refuses a transaction in non-blocking mode: {@code initTransactions} is refused there, but a producer may have
     * been initialised before it was wrapped.
     */
    public static void checkBegin(boolean nonBlocking) {
        if (nonBlocking) {
            throw new IllegalStateException("Transactions need the blocking mode: with " + BreakwaterConfig.SEND_NONBLOCKING_CONFIG
                    + "=true sends leave the caller's thread and could cross a commit");
        }
    }

    public void began() {
        first.set(null);
        open = true;
    }

    /**
     * A send was refused with {@code refusal} (or failed before Kafka took it: a {@code TimeoutException} waiting for its
     * metadata): if a transaction is open, it may no longer commit.
     */
    public void refused(RuntimeException refusal) {
        if (open) {
            first.compareAndSet(null, refusal);
        }
    }

    /**
     * @throws KafkaException with the first refusal as its cause, when a send of the open transaction was refused:
     *         nothing may be committed, the transaction must be aborted
     */
    public void checkCommit(String breaker) {
        RuntimeException refusal = first.get();
        if (refusal instanceof TimeoutException) {   // the metadata of a record's own partition, waited for before the send
            throw new KafkaException("Transaction not committed: a send in it was never written, its topic's metadata not"
                    + " found within max.block.ms; abort the transaction (" + refusal.getMessage() + ")", refusal);
        }
        if (refusal != null) {
            throw new KafkaException("Transaction not committed: circuit breaker '" + breaker + "' refused a send in it,"
                    + " which was never written; abort the transaction (" + refusal.getMessage() + ")", refusal);
        }
    }

    public void ended() {
        open = false;
        first.set(null);
    }
}
