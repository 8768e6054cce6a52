package dev.trellis.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/** The {@code trellis} command: wires the subcommands, nothing else. */
@Command(
        name = "trellis",
        mixinStandardHelpOptions = true,
        version = "trellis 0.1.0",
        description = "A service mesh for AWS that you own: Cloud Map discovery, a Netty sidecar, CDK-declared.",
        subcommands = {UpCommand.class, StatusCommand.class, ValidateCommand.class, CommandLine.HelpCommand.class})
public final class Trellis {

    public static void main(String[] args) {
        System.exit(commandLine().execute(args));
    }

    /** The command line with every subcommand, for {@code main} and for tests. */
    public static CommandLine commandLine() {
        return new CommandLine(new Trellis()).setCaseInsensitiveEnumValuesAllowed(true);
    }
}
