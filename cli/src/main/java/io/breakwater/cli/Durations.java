package io.breakwater.cli;

import java.time.Duration;
import java.util.Locale;
import picocli.CommandLine;

/** Reads durations such as {@code 90s}, {@code 2m}, {@code 500ms}, {@code 1h} or {@code 2d}; a sign is kept, for the option to judge. */
final class Durations implements CommandLine.ITypeConverter<Duration> {

    @Override
    public Duration convert(String value) {
        String v = value.trim().toLowerCase(Locale.ROOT);
        try {
            if (v.endsWith("ms")) {
                return Duration.ofMillis(Long.parseLong(v.substring(0, v.length() - 2)));
            }
            long n = Long.parseLong(v.substring(0, v.length() - 1));
            switch (v.charAt(v.length() - 1)) {
                case 's':
                    return Duration.ofSeconds(n);
                case 'm':
                    return Duration.ofMinutes(n);
                case 'h':
                    return Duration.ofHours(n);
                case 'd':
                    return Duration.ofDays(n);
                default:
                    break;
            }
        } catch (NumberFormatException | StringIndexOutOfBoundsException | ArithmeticException e) {
            // reported below
        }
        throw new CommandLine.TypeConversionException("'" + value + "' is not a duration: use a number and a unit, "
                + "as in 30s, 15m, 500ms, 1h or 2d");
    }

    /** {@code d} as it would be written: {@code 15m}, {@code -5m}, {@code 0s}, {@code 1500ms}. */
    static String format(Duration d) {
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
