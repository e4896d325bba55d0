package io.breakwater.cli;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.Properties;
import picocli.CommandLine;

/**
 * {@code --command-config FILE}: client properties for a secured cluster ({@code security.protocol}, {@code sasl.*},
 * {@code ssl.*}), as Kafka's own tools take them. Its values are never printed: they may be secrets.
 */
final class CommandConfig {

    private CommandConfig() {
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
