package io.breakwater.interceptors.internal;

import io.breakwater.breaker.CircuitBreaker;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Breakers whose outcomes an interceptor records. A wrapper around a producer whose interceptor shares its
 * breaker only enforces, so that no send is counted twice.
 */
public final class ObservedBreakers {

    private static final Map<CircuitBreaker, AtomicInteger> OBSERVERS = new ConcurrentHashMap<>();

    private ObservedBreakers() {
    }

    public static void observe(CircuitBreaker breaker) {
        OBSERVERS.computeIfAbsent(breaker, b -> new AtomicInteger()).incrementAndGet();
    }

    public static void release(CircuitBreaker breaker) {
        OBSERVERS.computeIfPresent(breaker, (b, count) -> count.decrementAndGet() <= 0 ? null : count);
    }

    public static boolean isObserved(CircuitBreaker breaker) {
        return OBSERVERS.containsKey(breaker);
    }
}
