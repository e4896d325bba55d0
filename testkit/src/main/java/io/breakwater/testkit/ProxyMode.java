package io.breakwater.testkit;

/** What a {@link FaultProxy} does with the traffic of its broker. */
public enum ProxyMode {
    /** Forwards everything. */
    PASS,
    /** Closes every connection and resets new ones at once: a broker that is down or unreachable. */
    CUT,
    /**
     * Accepts connections and holds every byte in both directions, answering nothing: a frozen broker
     * (as after SIGSTOP). Back in {@link #PASS}, the held bytes flow on, as when a frozen broker resumes.
     */
    BLACK_HOLE,
    /** Forwards everything, each chunk after the configured delay in each direction. */
    LATENCY
}
