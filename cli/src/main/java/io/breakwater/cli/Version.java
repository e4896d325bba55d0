package io.breakwater.cli;

import picocli.CommandLine;

/** What {@code -V} prints, for the top command and every subcommand alike. */
final class Version implements CommandLine.IVersionProvider {

    static final String TEXT = "breakwater 0.1.0";

    @Override
    public String[] getVersion() {
        return new String[] {TEXT};
    }
}
