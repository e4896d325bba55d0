package io.breakwater.it;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.breakwater.eventbus.EventBus;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.header.Header;

/**
 * A topic written by an EventBus, read back as a consumer that drops duplicates would: by the
 * {@value EventBus#EVENT_ID_HEADER} header, keeping the first occurrence. Records without the header (a
 * topic's priming record) are left out.
 */
final class SpilledTopic {

    private static final ObjectMapper JSON = new ObjectMapper();

    /** One event as read: its id, key and sequence number, and where it was. */
    record Event(String id, String key, long seq, long offset) {
    }

    /** Every record with an event id, in topic order (one partition). */
    final List<Event> records;
    /** The first occurrence of each event id, in topic order. */
    final List<Event> firsts;
    /** Records whose event id came earlier in the topic. */
    final int duplicates;

    private SpilledTopic(List<Event> records) {
        this.records = List.copyOf(records);
        Set<String> seen = new HashSet<>();
        List<Event> first = new ArrayList<>();
        for (Event e : records) {
            if (seen.add(e.id())) {
                first.add(e);
            }
        }
        this.firsts = List.copyOf(first);
        this.duplicates = records.size() - first.size();
    }

    /**
     * Reads {@code topic} from its start until every id of {@code expected} has been seen, and then until a
     * poll brings nothing more (so that duplicates behind are counted too), or until {@code within} has passed.
     */
    static SpilledTopic read(String bootstrap, String topic, Set<String> expected, Duration within) {
        List<Event> records = new ArrayList<>();
        Set<String> ids = new HashSet<>();
        try (KafkaConsumer<String, String> consumer = Records.consumer(bootstrap)) {
            consumer.subscribe(List.of(topic));
            long deadline = System.nanoTime() + within.toNanos();
            boolean complete = false;
            while (System.nanoTime() < deadline) {
                var batch = consumer.poll(Duration.ofMillis(500));
                if (complete && batch.isEmpty()) {
                    break;
                }
                for (ConsumerRecord<String, String> r : batch) {
                    Event event = event(r);
                    if (event != null) {
                        records.add(event);
                        ids.add(event.id());
                    }
                }
                complete = ids.containsAll(expected);
            }
        }
        return new SpilledTopic(records);
    }

    private static Event event(ConsumerRecord<String, String> r) {
        Header id = r.headers().lastHeader(EventBus.EVENT_ID_HEADER);
        if (id == null) {
            return null;
        }
        try {
            JsonNode tick = JSON.readTree(r.value());
            return new Event(new String(id.value(), StandardCharsets.UTF_8), tick.get("key").asText(),
                    tick.get("seq").asLong(), r.offset());
        } catch (IOException e) {
            throw new UncheckedIOException("not an event of the load at offset " + r.offset() + ": " + r.value(), e);
        }
    }

    /** The ids of {@code expected} not on the topic. */
    Set<String> missing(Set<String> expected) {
        Set<String> missing = new HashSet<>(expected);
        records.forEach(e -> missing.remove(e.id()));
        return missing;
    }

    /**
     * Per key, the places where a first occurrence does not come after the previous one in sequence order;
     * empty when every key's events are in increasing order. At most 10 are described.
     */
    List<String> orderViolations() {
        Map<String, Event> last = new HashMap<>();
        List<String> violations = new ArrayList<>();
        for (Event e : firsts) {
            Event previous = last.put(e.key(), e);
            if (previous != null && e.seq() <= previous.seq() && violations.size() < 10) {
                violations.add(e.key() + ": seq " + e.seq() + " at offset " + e.offset() + " after seq " + previous.seq()
                        + " at offset " + previous.offset());
            }
        }
        return violations;
    }
}
