package io.synscope.cli;

import picocli.CommandLine;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;
import picocli.CommandLine.Model.PositionalParamSpec;

import java.io.PrintWriter;
import java.util.concurrent.Callable;

/**
 * {@code synscope help [COMMAND]}: what picocli's {@link CommandLine.HelpCommand} does and
 * prints, described without annotations (see {@link Main} for why).
 */
final class HelpCommand implements Callable<Integer>, CommandLine.IHelpCommandInitializable2 {
    final CommandSpec spec = CommandSpec.wrapWithoutInspection(this);
    private final PositionalParamSpec command = PositionalParamSpec.builder().index("0")
            .arity("0..1").type(String.class).paramLabel("COMMAND")
            .description("The COMMAND to display the usage help message for.").build();
    private CommandLine self;
    private CommandLine.Help.ColorScheme colorScheme;
    private PrintWriter out;

    HelpCommand() {
        spec.name("help").helpCommand(true);
        spec.usageMessage().header("Display help information about the specified command.")
                .synopsisHeading("%nUsage: ")
                .description("%nWhen no COMMAND is given, the usage help for the main command is"
                                + " displayed.",
                        "If a COMMAND is specified, the help for that command is shown.%n");
        spec.addOption(OptionSpec.builder("-h", "--help").usageHelp(true)
                .description("Show usage help for the help command and exit.").build());
        spec.addPositional(command);
    }

    @Override
    public void init(CommandLine helpCommandLine, CommandLine.Help.ColorScheme colorScheme,
                     PrintWriter out, PrintWriter err) {
        this.self = helpCommandLine;
        this.colorScheme = colorScheme;
        this.out = out;
    }

    @Override
    public Integer call() {
        CommandLine parent = self.getParent();
        String name = command.getValue();
        CommandLine shown = name == null ? parent : parent.getSubcommands().get(name);
        if (shown == null) {
            throw new CommandLine.ParameterException(parent,
                    "Unknown subcommand '" + name + "'.", null, name);
        }
        shown.usage(out, colorScheme);
        return shown.getCommandSpec().exitCodeOnUsageHelp();
    }
}
