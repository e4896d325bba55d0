package io.breakwater.cli.internal;

import io.breakwater.breaker.CircuitBreakerState;
import java.io.Console;
import java.lang.reflect.Method;

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

    /**
     * Whether this process talks to a terminal, so that colours and redraws may be used. Up to JDK 21 a console exists
     * only then; from JDK 22 on one exists even when the output goes to a pipe or a file, and {@code isTerminal()}
     * (new in JDK 22, called by reflection as this code runs on 17) tells the two apart.
     */
    public static boolean terminal() {
        return terminal(System.console());
    }

    static boolean terminal(Console console) {
        if (console == null) {
            return false;
        }
        Method isTerminal;
        try {
            isTerminal = Console.class.getMethod("isTerminal");
        } catch (NoSuchMethodException beforeJdk22) {
            return true;
        }
        try {
            return Boolean.TRUE.equals(isTerminal.invoke(console));
        } catch (ReflectiveOperationException | RuntimeException e) {
            return false; // when in doubt, plain text: colour codes in a file are worse than none on a screen
        }
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
