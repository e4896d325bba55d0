package io.breakwater.interceptors;

/**
 * Decides whether a send's failure counts against the breaker. Availability failures (the cluster did
 * not answer, lost a leader, lacks replicas) count; caller errors (a record that cannot be serialized or
 * is too large, a bad topic name, missing rights) do not: they still reach the caller, but a caller's bug
 * never opens the breaker for everyone. Replace it to change that.
 */
@FunctionalInterface
public interface FailureClassifier {

    /** True when {@code failure} says the cluster is unavailable and must count against the breaker. */
    boolean countsAsFailure(Throwable failure);

    /** The classification described in the project's design: see {@link KafkaFailureClassifier}. */
    static FailureClassifier kafkaDefault() {
        return KafkaFailureClassifier.INSTANCE;
    }
}
