package io.breakwater.chaos;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Collectors;

/**
 * Checks a history against what the topics hold, read from their start after the run and the final replay.
 * <ul>
 * <li>{@code lost}: an {@code ok} not on its topic at the partition and offset it was acknowledged at, or a
 * {@code spilled} event nowhere on its topic;</li>
 * <li>{@code leaked}: a {@code rejected} event (never sent, Breakwater promises) anywhere on its topic;</li>
 * <li>{@code pending}: an operation that never completed;</li>
 * <li>{@code duplicate}: an event on its topic more than once, allowed only for an event that had an
 * indeterminate attempt, told apart by their CreateTime (set once per {@code send()}, kept through its retries): a
 * {@code fail}; a {@code spilled} one whose copies come from at most one direct send (it may have failed after the
 * broker wrote it) and from sends of the replay that each carry a number of their own (the bus's
 * {@code breakwater-replay} header counts its sends of an event from the spill: a batch that did not go through is
 * sent again, the events behind a failure included); an {@code ok} one whose other copies are all
 * <i>before</i> the acknowledged one and carry its CreateTime: the same send, whose answer was lost and which the
 * producer wrote again (Kafka's idempotent producer does so under a new epoch after
 * {@code OUT_OF_ORDER_SEQUENCE_NUMBER}, KAFKA-14034). A copy after the acknowledged one, or one of another send, is
 * never allowed;</li>
 * <li>{@code unknown}: a record on a topic with no event id, or with one that no operation of that topic has;</li>
 * <li>{@code order}: two {@code ok} events of a key whose offsets are not in the order they were published in (each
 * key is published by one thread, one event after another);</li>
 * <li>{@code spill-order}: with a spill, an event of a key published after an earlier one of the key had been
 * spilled, yet first on the topic before it (while a stream has events in the spill, new ones go behind them).</li>
 * </ul>
 * Thread-safe: it keeps no state.
 */
final class Checker {

    /** One offending event. */
    record Violation(String check, String id, String detail) {
    }

    /**
     * What the check found.
     *
     * @param outcomes   per workload, operations by outcome
     * @param violations every offence, by check
     * @param duplicates the copies beyond the first of events on their topic more than once, by kind: the outcome's
     *                   word, or {@value #OK_EARLIER} for copies of an {@code ok} event before its acknowledged one
     * @param failsOnTopic indeterminate operations found on the topic (the others were not written)
     * @param fails      indeterminate operations
     */
    record Result(Map<String, Map<Outcome.Kind, Long>> outcomes, List<Violation> violations,
                  Map<String, Long> duplicates, long failsOnTopic, long fails) {

        boolean passed() {
            return violations.isEmpty();
        }

        long count(String check) {
            return violations.stream().filter(v -> v.check().equals(check)).count();
        }
    }

    /** The kind of duplicate of an {@code ok} event written before its acknowledged copy. */
    static final String OK_EARLIER = "ok, earlier attempt";

    private Checker() {
    }

    /** {@code topics}: every record of each workload's topic, by topic ({@code chaos-} and the workload). */
    static Result check(List<History.Op> ops, Map<String, List<TopicReader.Stored>> topics) {
        Map<String, List<TopicReader.Stored>> byId = new HashMap<>();
        List<Violation> violations = new ArrayList<>();
        topics.values().forEach(records -> records.forEach(r -> {
            if (r.id() == null) {
                violations.add(new Violation("unknown", "-", "a record without an id at " + where(r)));
            } else {
                byId.computeIfAbsent(r.id(), id -> new ArrayList<>()).add(r);
            }
        }));
        Map<String, Map<Outcome.Kind, Long>> outcomes = new TreeMap<>();
        Map<String, Long> duplicates = new TreeMap<>();
        Map<String, History.Op> opsById = new HashMap<>();
        long fails = 0;
        long failsOnTopic = 0;
        for (History.Op op : ops) {
            opsById.put(op.id(), op);
            outcomes.computeIfAbsent(op.workload(), w -> new EnumMap<>(Outcome.Kind.class)).merge(op.outcome().kind(), 1L, Long::sum);
            String topic = "chaos-" + op.workload();
            List<TopicReader.Stored> copies = byId.getOrDefault(op.id(), List.of()).stream()
                    .filter(r -> r.topic().equals(topic)).toList();
            Outcome outcome = op.outcome();
            switch (outcome.kind()) {
                case OK -> {
                    if (copies.stream().noneMatch(r -> r.partition() == outcome.partition() && r.offset() == outcome.offset())) {
                        violations.add(new Violation("lost", op.id(), "acknowledged at " + outcome.partition() + ":"
                                + outcome.offset() + ", on the topic " + (copies.isEmpty() ? "nowhere" : "at " + places(copies))));
                    }
                }
                case REJECTED -> {
                    if (!copies.isEmpty()) {
                        violations.add(new Violation("leaked", op.id(), outcome + ", yet on the topic at " + places(copies)));
                    }
                }
                case SPILLED -> {
                    if (copies.isEmpty()) {
                        violations.add(new Violation("lost", op.id(), "spilled, and nowhere on the topic"));
                    }
                }
                case FAIL -> {
                    fails++;
                    failsOnTopic += copies.isEmpty() ? 0 : 1;
                }
                case PENDING -> violations.add(new Violation("pending", op.id(), "invoked at " + History.millis(op.invokeMicros())
                        + " ms, never completed"));
            }
            if (copies.size() > 1) {
                duplicate(op, copies, duplicates, violations);
            }
        }
        byId.forEach((id, copies) -> copies.forEach(r -> {
            History.Op op = opsById.get(id);
            if (op == null || !r.topic().equals("chaos-" + op.workload())) {
                violations.add(new Violation("unknown", id, "at " + where(r) + (op == null ? ", no operation has this id"
                        : ", an event of " + op.workload())));
            }
        }));
        checkOrder(ops, violations);
        checkSpillOrder(ops, byId, violations);
        violations.sort(Comparator.comparing(Violation::check));
        return new Result(outcomes, List.copyOf(violations), duplicates, failsOnTopic, fails);
    }

    /**
     * An event on its topic more than once. Copies of one {@code send()} share its CreateTime; a new send gets a new
     * one. An {@code ok} event may have earlier copies of the acknowledged send only; a {@code spilled} one may have
     * the copies of at most two sends (its direct attempt and its replay); a {@code fail} one, any copies.
     */
    private static void duplicate(History.Op op, List<TopicReader.Stored> copies, Map<String, Long> duplicates,
            List<Violation> violations) {
        Outcome outcome = op.outcome();
        long extra = copies.size() - 1L;
        switch (outcome.kind()) {
            case OK -> {
                long acked = copies.stream().filter(r -> r.partition() == outcome.partition() && r.offset() == outcome.offset())
                        .mapToLong(TopicReader.Stored::timestamp).findFirst().orElse(TopicReader.NO_TIMESTAMP);
                if (acked != TopicReader.NO_TIMESTAMP && copies.stream().allMatch(r -> r.partition() == outcome.partition()
                        && r.offset() <= outcome.offset() && r.timestamp() == acked)) {
                    duplicates.merge(OK_EARLIER, extra, Long::sum);
                } else {
                    violations.add(new Violation("duplicate", op.id(), "acknowledged at " + outcome.partition() + ":"
                            + outcome.offset() + ", written by another send or after that: on the topic at " + stamped(copies)));
                }
            }
            case SPILLED -> {
                String offence = spilledOffence(copies);
                if (offence != null) {
                    violations.add(new Violation("duplicate", op.id(), "spilled, and written by " + offence
                            + ": on the topic at " + stamped(copies)));
                } else {
                    duplicates.merge(outcome.kind().word(), extra, Long::sum);
                }
            }
            default -> duplicates.merge(outcome.kind().word(), extra, Long::sum);
        }
    }

    /**
     * What is wrong with the copies of a spilled event, or null: sends are told apart by their CreateTime, and each
     * may be the direct one (replay number 0; at most one) or a numbered send of the replay (each number once).
     */
    private static String spilledOffence(List<TopicReader.Stored> copies) {
        if (copies.stream().anyMatch(r -> r.timestamp() == TopicReader.NO_TIMESTAMP)) {
            return "copies that cannot be told apart (no CreateTime)";
        }
        Map<Integer, Long> sendsByNumber = new TreeMap<>();
        copies.stream().collect(Collectors.groupingBy(TopicReader.Stored::replay,
                Collectors.mapping(TopicReader.Stored::timestamp, Collectors.toSet())))
                .forEach((number, times) -> sendsByNumber.put(number, (long) times.size()));
        for (Map.Entry<Integer, Long> e : sendsByNumber.entrySet()) {
            if (e.getValue() > 1) {
                return e.getValue() + (e.getKey() == 0 ? " direct sends (at most 1)"
                        : " sends of the replay numbered " + e.getKey() + " (one each)");
            }
        }
        return null;
    }

    /** Per workload and key, the acknowledged offsets rise with seq. */
    private static void checkOrder(List<History.Op> ops, List<Violation> violations) {
        for (List<History.Op> key : byKey(ops, k -> k == Outcome.Kind.OK).values()) {
            History.Op previous = null;
            for (History.Op op : key) {
                if (previous != null) {
                    Outcome a = previous.outcome();
                    Outcome b = op.outcome();
                    if (a.partition() != b.partition() || a.offset() >= b.offset()) {
                        violations.add(new Violation("order", op.id(), "seq " + op.seq() + " of " + op.key() + " acknowledged at "
                                + b.partition() + ":" + b.offset() + ", seq " + previous.seq() + " (" + previous.id() + ") at "
                                + a.partition() + ":" + a.offset()));
                    }
                }
                previous = op;
            }
        }
    }

    /**
     * Per key of a workload that spilled: an event published after an earlier event of its key was durable in the
     * spill must first appear on the topic after that event's first appearance. (A key's events are published one
     * after another, so their invoke times rise with seq.)
     */
    private static void checkSpillOrder(List<History.Op> ops, Map<String, List<TopicReader.Stored>> byId,
            List<Violation> violations) {
        for (List<History.Op> key : byKey(ops, k -> k == Outcome.Kind.OK || k == Outcome.Kind.SPILLED).values()) {
            java.util.PriorityQueue<History.Op> spilled = new java.util.PriorityQueue<>(
                    Comparator.comparingLong(History.Op::completeMicros));
            History.Op latest = null; // of the events spilled before the current one was published, the last on the topic
            TopicReader.Stored latestAt = null;
            for (History.Op op : key) {
                while (!spilled.isEmpty() && spilled.peek().completeMicros() < op.invokeMicros()) {
                    History.Op done = spilled.poll();
                    TopicReader.Stored at = first(byId.get(done.id()));
                    if (at != null && (latestAt == null || at.offset() > latestAt.offset())) {
                        latest = done;
                        latestAt = at;
                    }
                }
                TopicReader.Stored at = first(byId.get(op.id()));
                if (latestAt != null && at != null && (at.partition() != latestAt.partition() || at.offset() < latestAt.offset())) {
                    violations.add(new Violation("spill-order", op.id(), "seq " + op.seq() + " of " + op.key()
                            + " first at " + where(at) + ", before seq " + latest.seq() + " (" + latest.id()
                            + ") at " + where(latestAt) + ", which was spilled before it was published"));
                }
                if (op.outcome().kind() == Outcome.Kind.SPILLED) {
                    spilled.add(op);
                }
            }
        }
    }

    /** The operations whose outcome passes, by workload and key, each list in seq order. */
    private static Map<String, List<History.Op>> byKey(List<History.Op> ops, java.util.function.Predicate<Outcome.Kind> kinds) {
        Map<String, List<History.Op>> byKey = new HashMap<>();
        for (History.Op op : ops) {
            if (kinds.test(op.outcome().kind())) {
                byKey.computeIfAbsent(op.workload() + "/" + op.key(), k -> new ArrayList<>()).add(op);
            }
        }
        byKey.values().forEach(list -> list.sort(Comparator.comparingLong(History.Op::seq)));
        return byKey;
    }

    private static TopicReader.Stored first(List<TopicReader.Stored> copies) {
        return copies == null ? null : copies.stream().min(Comparator.comparingLong(TopicReader.Stored::offset)).orElse(null);
    }

    private static String where(TopicReader.Stored r) {
        return r.topic() + " " + r.partition() + ":" + r.offset();
    }

    private static String stamped(List<TopicReader.Stored> copies) {
        return String.join(", ", copies.stream().map(r -> r.partition() + ":" + r.offset() + " (CreateTime "
                + (r.timestamp() == TopicReader.NO_TIMESTAMP ? "none" : Long.toString(r.timestamp()))
                + (r.replay() == 0 ? "" : ", replay " + r.replay()) + ")").toList());
    }

    private static String places(List<TopicReader.Stored> copies) {
        return String.join(", ", copies.stream().map(r -> r.partition() + ":" + r.offset()).toList());
    }
}
