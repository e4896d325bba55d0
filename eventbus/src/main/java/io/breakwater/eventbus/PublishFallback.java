package io.breakwater.eventbus;

import java.util.concurrent.CompletionStage;

/**
 * What to do with an event the bus could not publish: a breaker refused it, or the broker failed it.
 * The stage it returns decides how the caller's future completes, so an event is never dropped without
 * the caller knowing: complete it with {@link PublishResult#viaFallback(String)} once the event is safe
 * (spilled to disk, say), or fail it.
 */
@FunctionalInterface
public interface PublishFallback {
    CompletionStage<PublishResult> onFailure(String stream, String key, Object event, Throwable cause);
}
