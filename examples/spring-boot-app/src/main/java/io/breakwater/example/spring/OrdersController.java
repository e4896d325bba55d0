package io.breakwater.example.spring;

import io.breakwater.breaker.CircuitBreakerOpenException;
import org.springframework.http.HttpStatus;
import org.springframework.http.ResponseEntity;
import org.springframework.kafka.KafkaException;
import org.springframework.kafka.core.KafkaTemplate;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RestController;

/** {@code POST /orders}: 202 once the order is handed to Kafka, 503 at once while Kafka's breaker is open. */
@RestController
class OrdersController {

    static final String TOPIC = "orders";

    private final KafkaTemplate<String, String> template;

    OrdersController(KafkaTemplate<String, String> template) {
        this.template = template;
    }

    @PostMapping("/orders")
    ResponseEntity<String> place(@RequestBody String order) {
        try {
            template.send(TOPIC, order);
            return ResponseEntity.accepted().body("accepted");
        } catch (KafkaException e) {
            if (e.getCause() instanceof CircuitBreakerOpenException open) {
                return ResponseEntity.status(HttpStatus.SERVICE_UNAVAILABLE).body(open.getMessage());
            }
            throw e;
        }
    }
}
