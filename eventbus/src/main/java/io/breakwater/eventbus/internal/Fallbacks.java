package io.breakwater.eventbus.internal;

import io.breakwater.eventbus.EventBus;
import io.breakwater.eventbus.PublishFallback;
import io.breakwater.eventbus.PublishResult;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** The streams' fallbacks: where a publish that failed or was refused goes, or a failed future when a stream has none. */
public final class Fallbacks {

    // The bus's own logger: a failed fallback is the bus's news.
    private static final Logger LOG = LoggerFactory.getLogger(EventBus.class);

    private final Map<String, PublishFallback> byStream;

    public Fallbacks(Map<String, PublishFallback> byStream) {
        this.byStream = Map.copyOf(byStream);
    }

    /** The stream's fallback, or a failed future; a fallback that throws or returns null fails the future with that. */
    public CompletableFuture<PublishResult> fail(String stream, String key, Object event, Throwable cause) {
        PublishFallback fallback = byStream.get(stream);
        if (fallback == null) {
            return CompletableFuture.failedFuture(cause);
        }
        try {
            return Objects.requireNonNull(fallback.onFailure(stream, key, event, cause),
                    () -> "the fallback of stream '" + stream + "' returned null instead of a stage").toCompletableFuture();
        } catch (Throwable e) {
            if (e != cause) {   // a fallback may rethrow the cause itself, which cannot suppress itself
                e.addSuppressed(cause);
            }
            LOG.warn("Fallback of stream '{}' failed", stream, e);
            return CompletableFuture.failedFuture(e);
        }
    }
}
