package io.breakwater.eventbus;

import io.breakwater.transport.redpanda.RedpandaTransport;
import java.util.Map;
import org.apache.kafka.clients.producer.MockProducer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;

/** Publishes through a bus without a spill; run by {@link WithoutSpillTest} with no breakwater-spill on the class path. */
public final class WithoutSpillMain {

    private WithoutSpillMain() {
    }

    public static void main(String[] args) throws Exception {
        MockProducer<String, byte[]> mock = new MockProducer<>(true, null, new StringSerializer(), new ByteArraySerializer());
        try (EventBus bus = EventBus.builder(RedpandaTransport.builder(mock).build()).build()) {
            PublishResult result = bus.publishStream("orders", "k", Map.of("n", 1), Map.of()).get();
            System.out.println("published " + result.topic() + " " + result.acknowledged() + " spills=" + bus.health().spills());
        }
        try {
            Class.forName("io.breakwater.spill.SpillStore");
            System.out.println("spill on the class path");
        } catch (ClassNotFoundException expected) {
            System.out.println("no spill on the class path");
        }
    }
}
