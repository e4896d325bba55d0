package io.breakwater.breaker;

import java.time.Duration;
import java.util.Locale;

/** How durations and rates read in reasons and logs. */
final class Texts {

    private Texts() {
    }

    static String percent(double rate) {
        return String.format(Locale.ROOT, "%.1f%%", rate * 100);
    }

    static String human(Duration d) {
        long millis = d.toMillis();
        if (millis % 1000 == 0) {
            return millis / 1000 + " s";
        }
        if (millis >= 1000) {
            return String.format(Locale.ROOT, "%.1f s", millis / 1000.0);
        }
        return millis + " ms";
    }
}
