package io.breakwater.cli;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.Properties;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import picocli.CommandLine;

/**
 * {@code --command-config FILE}: client properties for a secured cluster ({@code security.protocol}, {@code sasl.*},
 * {@code ssl.*}), as Kafka's own tools take them. Its values are never printed: they may be secrets.
 */
final class CommandConfig {

    private CommandConfig() {
    }

    // HOST:PORT as Kafka's clients read it: an optional prefix (PLAINTEXT://), a host or an IPv6 address, bracketed or
    // not, then the port after the last colon.
    private static final Pattern HOST_PORT = Pattern.compile("(?:[0-9a-zA-Z%._-]*://)?(\\[)?([0-9a-zA-Z%._:-]*?)(])?:([0-9]+)");

    /**
     * Fails with the usage unless {@code value}, the {@code --bootstrap-server}, is one or more HOST:PORT separated by
     * commas, each port in [1, 65535], no entry empty. Whether a host resolves and answers is for the first check to
     * find out.
     */
    static void checkBootstrap(CommandLine cmd, String value) {
        if (value.isBlank()) {
            throw new CommandLine.ParameterException(cmd, "--bootstrap-server must not be empty: give HOST:PORT");
        }
        for (String entry : value.trim().split("\\s*,\\s*", -1)) {
            if (entry.isEmpty()) {   // Kafka's clients refuse an empty entry too
                throw new CommandLine.ParameterException(cmd, "--bootstrap-server: '" + shown(value) + "' has an empty entry: "
                        + "separate HOST:PORT entries by one comma, with none at either end");
            }
            Matcher m = HOST_PORT.matcher(entry);
            if (!m.matches() || (m.group(1) == null) != (m.group(3) == null)) {
                throw new CommandLine.ParameterException(cmd, "--bootstrap-server: '" + shown(entry) + "' is not HOST:PORT "
                        + "(as in localhost:9092; several are separated by commas)");
            }
            if (m.group(1) == null && m.group(2).endsWith(":")) {   // 2001:db8::1 would be host 2001:db8: and port 1
                throw new CommandLine.ParameterException(cmd, "--bootstrap-server: '" + shown(entry) + "' has no port: put an "
                        + "IPv6 address in brackets and give its port, as in [2001:db8::1]:9092");
            }
            String port = m.group(4).replaceFirst("^0+(?=.)", "");   // 09092 is 9092, as Kafka reads it
            if (port.length() > 5 || Integer.parseInt(port) < 1 || Integer.parseInt(port) > 65_535) {
                throw new CommandLine.ParameterException(cmd, "--bootstrap-server: the port of '" + shown(entry)
                        + "' must be in [1, 65535]");
            }
        }
    }

    /** {@code address} as a message may show it: whatever precedes an {@code @} (a user and password pasted in) masked. */
    private static String shown(String address) {
        return address.replaceAll("[^\\s,]*@", "****@");
    }

    /** The client settings: those of {@code file} (if given), then {@code bootstrap.servers}. */
    static Map<String, Object> client(CommandLine cmd, Path file, String bootstrap) {
        Map<String, Object> config = new HashMap<>();
        if (file != null) {
            if (!Files.exists(file)) {
                throw new CommandLine.ParameterException(cmd, "--command-config: " + file + " does not exist; give a "
                        + "properties file (security.protocol, sasl.*, ssl.*)");
            }
            if (Files.isDirectory(file)) {
                throw new CommandLine.ParameterException(cmd, "--command-config: " + file + " is a directory; give a "
                        + "properties file");
            }
            Properties props = new Properties();
            try (InputStream in = Files.newInputStream(file)) { // ISO-8859-1, as Kafka's tools read it
                props.load(in);
            } catch (AccessDeniedException e) {
                throw new CommandLine.ParameterException(cmd, "--command-config: cannot read " + file + ": permission denied");
            } catch (IOException | IllegalArgumentException e) {
                throw new CommandLine.ParameterException(cmd, "--command-config: cannot read " + file + " ("
                        + e.getClass().getSimpleName() + ")");
            }
            props.stringPropertyNames().forEach(k -> config.put(k, props.getProperty(k)));
        }
        config.put("bootstrap.servers", bootstrap);
        return config;
    }
}
