package io.breakwater.cli;

import io.breakwater.cli.internal.DurationText;
import java.time.Duration;
import java.util.Locale;
import picocli.CommandLine;

/**
 * Reads durations such as {@code 90s}, {@code 2m}, {@code 500ms}, {@code 1h} or {@code 2d}, of at most {@link #MAX} either
 * way; a sign is kept, for the option to judge.
 */
final class Durations implements CommandLine.ITypeConverter<Duration> {

    /** The longest duration any option takes; each option may take less. */
    static final Duration MAX = Duration.ofDays(365);

    @Override
    public Duration convert(String value) {
        if (value.trim().matches("[-+]?0+")) {
            return Duration.ZERO;   // zero in any unit: each option says what its range is
        }
        Duration d = parse(value.trim().toLowerCase(Locale.ROOT));
        if (d == null) {
            throw new CommandLine.TypeConversionException("'" + value + "' is not a duration: use a number and a unit, as in "
                    + "30s, 15m, 500ms, 1h or 2d");
        }
        if (d.abs().compareTo(MAX) > 0) {
            throw new CommandLine.TypeConversionException("'" + value + "' is too long: durations go up to "
                    + format(MAX));
        }
        return d;
    }

    private static Duration parse(String v) {
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
            // not a duration
        }
        return null;
    }

    /** {@code d} as it would be written: {@code 15m}, {@code -5m}, {@code 0s}, {@code 1500ms}. */
    static String format(Duration d) {
        return DurationText.format(d);
    }
}
