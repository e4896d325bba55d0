package io.breakwater.cli.internal;

import java.time.Duration;

/** Durations as the command line writes them: {@code 15m}, {@code -5m}, {@code 0s}, {@code 1500ms}. */
public final class DurationText {

    private DurationText() {
    }

    /** {@code d} as it would be written on the command line; whole days, hours, minutes or seconds when it is one. */
    public static String format(Duration d) {
        long ms = d.toMillis();
        long abs = Math.abs(ms);
        if (abs % 86_400_000 == 0 && abs > 0) {
            return ms / 86_400_000 + "d";
        }
        if (abs % 3_600_000 == 0 && abs > 0) {
            return ms / 3_600_000 + "h";
        }
        if (abs % 60_000 == 0 && abs > 0) {
            return ms / 60_000 + "m";
        }
        return abs % 1000 == 0 ? ms / 1000 + "s" : ms + "ms";
    }
}
