package io.breakwater.testkit;

import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Starts a broker again on fresh ports when another socket took one of its ports between the release
 * of its reservation and its own bind: a window no reservation closes, since the broker binds the port
 * itself.
 */
final class PortRetry {

    /** Attempts before a start gives up. */
    static final int ATTEMPTS = 3;

    private static final Logger LOG = LoggerFactory.getLogger(PortRetry.class);

    /** One start on fresh ports; it cleans up after itself before it throws. */
    @FunctionalInterface
    interface Attempt<T> {
        T run() throws PortTakenException;
    }

    private PortRetry() {
    }

    /** The result of the first of {@value #ATTEMPTS} attempts that found its ports free. */
    static <T> T start(String what, Attempt<T> attempt) {
        List<PortTakenException> failures = new ArrayList<>();
        while (failures.size() < ATTEMPTS) {
            try {
                return attempt.run();
            } catch (PortTakenException e) {
                failures.add(e);
                LOG.warn("{}: attempt {} of {} lost a port ({}){}", what, failures.size(), ATTEMPTS, e.getMessage(),
                        failures.size() < ATTEMPTS ? "; trying fresh ports" : "");
            }
        }
        String tried = IntStream.range(0, failures.size())
                .mapToObj(i -> "attempt " + (i + 1) + ": " + failures.get(i).getMessage())
                .collect(Collectors.joining("; "));
        PortTakenException last = failures.get(failures.size() - 1);
        IllegalStateException error = new IllegalStateException("could not start " + what + ": in each of " + ATTEMPTS
                + " attempts another socket took a port before the broker could bind it (" + tried + ")", last.getCause());
        failures.subList(0, failures.size() - 1).forEach(f -> error.addSuppressed(f.getCause()));
        throw error;
    }
}
