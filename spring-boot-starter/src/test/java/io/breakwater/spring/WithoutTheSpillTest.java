package io.breakwater.spring;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.File;
import java.net.MalformedURLException;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Path;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

/**
 * The starter without breakwater-spill, its optional dependency: an application that turns the EventBus on and never
 * added the spill starts, and its bus refuses what it cannot send (no spill to take it).
 */
class WithoutTheSpillTest {

    @Test
    void theEventBusStartsWithoutBreakwaterSpillOnTheClassPath() throws Exception {
        // Surefire may start the test JVM with a manifest-only jar; the test's class path is in this property then.
        String classPath = System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"));
        URL[] urls = Arrays.stream(classPath.split(File.pathSeparator))
                .filter(entry -> !entry.isBlank() && !spill(entry))
                .map(WithoutTheSpillTest::url)
                .toArray(URL[]::new);
        try (URLClassLoader withoutSpill = new URLClassLoader(urls, ClassLoader.getPlatformClassLoader())) {
            assertThatThrownBy(() -> withoutSpill.loadClass("io.breakwater.spill.SpillStore"))
                    .as("the class loader has no breakwater-spill").isInstanceOf(ClassNotFoundException.class);
            Thread current = Thread.currentThread();
            ClassLoader before = current.getContextClassLoader();
            current.setContextClassLoader(withoutSpill);
            try {
                Object outcome = withoutSpill.loadClass(WithoutTheSpill.class.getName()).getMethod("run").invoke(null);
                assertThat(outcome).isEqualTo("refused: CircuitBreakerOpenException");
            } finally {
                current.setContextClassLoader(before);
            }
        }
    }

    private static boolean spill(String entry) {
        return entry.contains("breakwater-spill") || entry.replace('\\', '/').contains("/spill/target/")
                || entry.contains("sqlite-jdbc");
    }

    private static URL url(String entry) {
        try {
            return Path.of(entry).toUri().toURL();
        } catch (MalformedURLException e) {
            throw new IllegalArgumentException(entry, e);
        }
    }
}
