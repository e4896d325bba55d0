package io.breakwater.chaos;

/** What the nemesis does to the cluster; each fault is undone when its time is up. */
enum FaultKind {
    /** SIGSTOP of one node, then SIGCONT. */
    FREEZE(1),
    /** SIGKILL of one node, then a restart on its data. */
    KILL(1),
    /** SIGKILL of two of the three nodes (the quorum is gone), then both restarted together. */
    KILL_MAJORITY(2),
    /** One node's proxy closes every client connection and resets new ones. */
    CUT(1),
    /** One node's proxy holds every byte and answers nothing. */
    BLACK_HOLE(1),
    /** One node's proxy delays each chunk by 50 to 1,000 ms each way. */
    LATENCY(1),
    /** SIGTERM of one node: Kafka's controlled shutdown moves its leaders away; then a restart. */
    CONTROLLED_SHUTDOWN(1),
    /** SIGKILL of every node, then all restarted together. */
    ALL_DOWN(3);

    /** How many nodes the fault takes. */
    final int nodes;

    FaultKind(int nodes) {
        this.nodes = nodes;
    }

    /** Whether it acts on the nodes' processes (else on their proxies). */
    boolean onProcesses() {
        return this != CUT && this != BLACK_HOLE && this != LATENCY;
    }

    /** {@code controlled-shutdown}. */
    String label() {
        return name().toLowerCase(java.util.Locale.ROOT).replace('_', '-');
    }
}
