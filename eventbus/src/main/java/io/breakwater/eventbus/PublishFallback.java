package io.breakwater.eventbus;

import java.util.concurrent.CompletionStage;

/**
 * What to do with an event the bus could not publish: a breaker refused it, or the broker failed it.
 * The stage it returns decides how the caller's future completes, so an event is never dropped without
 * the caller knowing: complete it with {@link PublishResult#viaFallback(String)} once the event is safe
 * (spilled to disk, say), or fail it.
 *
 * <p>It runs on the thread that learns of the failure: the caller's, the transport's one sender thread, or Kafka's
 * network thread. It must return at once (slow work on an executor of its own, its stage returned), and never wait for
 * another publish: that network thread would have to bring the answer it waits for.
 */
@FunctionalInterface
public interface PublishFallback {
    CompletionStage<PublishResult> onFailure(String stream, String key, Object event, Throwable cause);
}
