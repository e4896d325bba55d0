package io.breakwater.cli.internal;

import io.breakwater.breaker.CircuitBreakerState;

/** The terminal's colours and redraws, as the demo's live view and {@code status --watch} use them. */
public final class Ansi {

    static final String RESET = "\u001b[0m";
    static final String RED = "\u001b[31m";
    static final String GREEN = "\u001b[32m";
    static final String YELLOW = "\u001b[33m";
    static final String BOLD = "\u001b[1m";
    /** Cursor home, then clear the screen: the next lines draw the view anew. */
    public static final String HOME_AND_CLEAR = "\u001b[H\u001b[2J";

    private Ansi() {
    }

    /** {@code text} in the state's colour: CLOSED green, HALF_OPEN yellow, the states that refuse or ignore red. */
    public static String state(CircuitBreakerState state, String text, boolean color) {
        if (!color) {
            return text;
        }
        switch (state) {
            case CLOSED:
                return GREEN + text + RESET;
            case HALF_OPEN:
                return YELLOW + text + RESET;
            default:
                return RED + text + RESET;
        }
    }

    /** {@code text} in bold, or as it is. */
    public static String bold(String text, boolean color) {
        return color ? BOLD + text + RESET : text;
    }
}
