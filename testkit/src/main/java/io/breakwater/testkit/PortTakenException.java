package io.breakwater.testkit;

import java.util.List;
import java.util.Optional;

/** A broker did not start because another socket took one of its ports before the broker bound it. */
final class PortTakenException extends Exception {

    private static final long serialVersionUID = 1L;

    PortTakenException(String portsTried, List<Integer> taken, Throwable cause) {
        super(portsTried + (taken.isEmpty() ? "" : "; taken by another socket: " + taken), cause);
    }

    /**
     * {@code failure} as a PortTakenException if it came from a taken port: one of {@code ports} is held by
     * another socket now, or a {@link java.net.BindException} caused it. Call it once the broker is down.
     */
    static Optional<PortTakenException> of(Throwable failure, String portsTried, List<Integer> ports) {
        List<Integer> taken = PortReservation.taken(ports);
        if (taken.isEmpty() && !causedByBind(failure)) {
            return Optional.empty();
        }
        return Optional.of(new PortTakenException(portsTried, taken, failure));
    }

    private static boolean causedByBind(Throwable failure) {
        for (Throwable t = failure; t != null; t = t.getCause()) {
            if (t instanceof java.net.BindException) {
                return true;
            }
        }
        return false;
    }
}
