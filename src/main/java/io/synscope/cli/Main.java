package io.synscope.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;

import java.io.BufferedWriter;
import java.io.FileDescriptor;
import java.io.FileOutputStream;
import java.io.OutputStreamWriter;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;

/** Entry point: {@code synscope <command>}. */
@Command(name = "synscope", mixinStandardHelpOptions = true,
        versionProvider = Main.Version.class,
        description = "Tells why TCP connections failed, from a packet capture.",
        subcommands = {AnalyzeCommand.class, LabCommand.class, CommandLine.HelpCommand.class},
        exitCodeListHeading = "%nExit codes:%n",
        exitCodeList = {
                "0:analysed (whatever the verdicts)",
                "1:internal error (a bug: please report it)",
                "2:bad command line",
                "3:capture not found or cannot be opened",
                "4:capture is empty",
                "5:not a pcap, pcapng or gzip file",
                "6:corrupt capture (bad header or block)",
                "7:no frame of a link type synscope decodes",
                "8:I/O error while reading or writing",
                "130:interrupted (Ctrl-C); the report covers what was read"})
public final class Main implements Runnable {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    public static void main(String[] args) {
        PrintWriter out = new PrintWriter(new BufferedWriter(new OutputStreamWriter(
                new FileOutputStream(FileDescriptor.out), StandardCharsets.UTF_8), 1 << 16));
        PrintWriter err = new PrintWriter(new OutputStreamWriter(
                new FileOutputStream(FileDescriptor.err), StandardCharsets.UTF_8), true);
        int code = run(args, out, err);
        out.flush();
        err.flush();
        System.exit(code);
    }

    /** Runs the command line with the given streams; returns the exit code. Used by tests. */
    public static int run(String[] args, PrintWriter out, PrintWriter err) {
        CommandLine cl = new CommandLine(new Main());
        cl.setOut(out);
        cl.setErr(err);
        cl.setExecutionExceptionHandler((ex, commandLine, parseResult) -> {
            commandLine.getErr().println("synscope: internal error: " + ex
                    + " (please report it with the command line and capture)");
            if (System.getenv("SYNSCOPE_DEBUG") != null) {
                ex.printStackTrace(commandLine.getErr());
            }
            return ExitCode.INTERNAL_ERROR;
        });
        return cl.execute(args);
    }

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getOut());
    }

    /** The version from the jar's manifest. */
    static final class Version implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            return new String[] {"synscope " + version()};
        }
    }

    static String version() {
        String v = Main.class.getPackage().getImplementationVersion();
        return v == null ? "dev" : v;
    }
}
