package io.breakwater.cli;

import java.time.Duration;
import java.util.Locale;
import picocli.CommandLine;

/** Reads durations such as {@code 90s}, {@code 2m}, {@code 500ms} or {@code 1h}. */
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
                default:
                    break;
            }
        } catch (NumberFormatException | StringIndexOutOfBoundsException e) {
            // reported below
        }
        throw new CommandLine.TypeConversionException("'" + value + "' is not a duration: use 30s, 2m, 500ms or 1h");
    }
}
