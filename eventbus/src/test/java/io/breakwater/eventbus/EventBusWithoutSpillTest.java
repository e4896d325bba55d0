package io.breakwater.eventbus;

import static org.assertj.core.api.Assertions.assertThat;

import io.breakwater.transport.redpanda.RedpandaTransport;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URL;
import java.util.Enumeration;
import java.util.Map;
import java.util.concurrent.Callable;
import org.apache.kafka.clients.producer.MockProducer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;

/**
 * breakwater-spill is an optional dependency of the EventBus ({@code <optional>true</optional>}): applications
 * that do not spill, the CLI among them, run the bus without it on their class path. Regression: building any
 * EventBus threw {@code NoClassDefFoundError: io/breakwater/spill/SpillStore}.
 */
class EventBusWithoutSpillTest {

    @Test
    void aBusWithoutASpillRunsWithoutTheSpillModuleOnTheClassPath() throws Exception {
        ClassLoader withoutSpill = new WithoutSpill(getClass().getClassLoader());
        @SuppressWarnings("unchecked")
        Callable<String> run = (Callable<String>) withoutSpill.loadClass(Run.class.getName()).getDeclaredConstructor()
                .newInstance();

        String outcome = run.call();

        assertThat(outcome).startsWith("acknowledged; refused: io.breakwater.breaker.CircuitBreakerOpenException")
                .contains("\"spills\":[]");
        assertThat(withoutSpill.loadClass(EventBus.class.getName()).getClassLoader()).isSameAs(withoutSpill);
    }

    /** Builds a bus without a spill, publishes, is refused, reports its health and closes: run inside {@link WithoutSpill}. */
    public static final class Run implements Callable<String> {
        @Override
        public String call() {
            MockProducer<String, byte[]> mock = new MockProducer<>(true, null, new StringSerializer(), new ByteArraySerializer());
            try (EventBus bus = EventBus.builder(RedpandaTransport.builder(mock).nonBlocking(false).build()).build()) {
                String first = bus.publishStream("orders", Map.of("n", 1)).join().acknowledged() ? "acknowledged" : "not acknowledged";
                bus.channelBreaker("orders").forceOpen();
                String refused = bus.publishStream("orders", Map.of("n", 2)).handle((r, e) -> e == null ? "not refused"
                        : "refused: " + (e instanceof java.util.concurrent.CompletionException ? e.getCause() : e).getClass()
                        .getName()).join();
                return first + "; " + refused + "; " + bus.health().toJson();
            }
        }
    }

    /**
     * Defines every class of the class path itself (so that what they link to is looked up here), except the JDK's,
     * and has no {@code io.breakwater.spill} classes at all.
     */
    private static final class WithoutSpill extends ClassLoader {
        private final ClassLoader source;

        WithoutSpill(ClassLoader source) {
            super(ClassLoader.getPlatformClassLoader());
            this.source = source;
        }

        @Override
        protected Class<?> loadClass(String name, boolean resolve) throws ClassNotFoundException {
            if (name.startsWith("io.breakwater.spill.")) {
                throw new ClassNotFoundException(name + " (the spill module is left off this class path)");
            }
            synchronized (getClassLoadingLock(name)) {
                Class<?> loaded = findLoadedClass(name);
                if (loaded == null) {
                    URL url = source.getResource(name.replace('.', '/') + ".class");
                    if (url == null || name.startsWith("java.") || name.startsWith("javax.") || name.startsWith("jdk.")
                            || name.startsWith("sun.")) {
                        return super.loadClass(name, resolve);
                    }
                    try (InputStream in = url.openStream()) {
                        byte[] bytes = in.readAllBytes();
                        loaded = defineClass(name, bytes, 0, bytes.length);
                    } catch (IOException e) {
                        throw new UncheckedIOException(e);
                    }
                }
                if (resolve) {
                    resolveClass(loaded);
                }
                return loaded;
            }
        }

        @Override
        public URL getResource(String name) {
            return name.startsWith("io/breakwater/spill/") ? null : source.getResource(name);
        }

        @Override
        public Enumeration<URL> getResources(String name) throws IOException {
            return source.getResources(name);
        }
    }
}
