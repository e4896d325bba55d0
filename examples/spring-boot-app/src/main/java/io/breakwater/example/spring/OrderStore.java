package io.breakwater.example.spring;

import io.breakwater.breaker.CircuitBreaker;
import io.breakwater.spring.BreakwaterBreakers;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.springframework.kafka.annotation.KafkaListener;
import org.springframework.stereotype.Component;

/** Stores each order in the "database" (a list here), through the database's breaker {@code db}. */
@Component
public class OrderStore {

    private final List<String> stored = new CopyOnWriteArrayList<>();
    private final CircuitBreaker db;

    OrderStore(BreakwaterBreakers breakers) {
        this.db = breakers.breaker("db");
    }

    @KafkaListener(id = "orders", topics = OrdersController.TOPIC)
    void handle(String order) {
        db.execute(() -> stored.add(order));
    }

    /** The orders stored so far, in the order they were stored. */
    public List<String> stored() {
        return List.copyOf(stored);
    }
}
