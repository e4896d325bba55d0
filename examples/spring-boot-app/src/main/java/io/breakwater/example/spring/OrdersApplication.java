package io.breakwater.example.spring;

import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;

/**
 * An order service: {@code POST /orders} publishes an order with the auto-configured (and guarded)
 * {@code KafkaTemplate}; a {@code @KafkaListener} stores each order in a database behind the breaker {@code db},
 * and pauses while that breaker is open ({@code breakwater.listeners.orders.pause-on=db}).
 */
@SpringBootApplication
public class OrdersApplication {

    public static void main(String[] args) {
        SpringApplication.run(OrdersApplication.class, args);
    }
}
