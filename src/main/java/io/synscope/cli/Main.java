package io.synscope.cli;

import picocli.CommandLine;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;
import picocli.CommandLine.Model.UsageMessageSpec;

import io.synscope.capture.Printable;
import io.synscope.pipeline.CaptureInfo;
import java.io.BufferedWriter;
import java.io.FileDescriptor;
import java.io.FileOutputStream;
import java.io.OutputStreamWriter;
import java.io.FileNotFoundException;
import java.io.FilterWriter;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Entry point: {@code synscope <command>}.
 *
 * <p>The commands are described to picocli with its programmatic API rather than annotations:
 * reading annotations reflectively (parsing them, spinning a proxy class per annotation type)
 * cost every run, {@code --version} included, some sixty milliseconds of a cold JVM.
 */
public final class Main implements Runnable {
    /**
     * Picocli registers converters for every java.sql and java.time type it knows, loading and
     * initialising those classes (some fifteen milliseconds); no option here has such a type.
     */
    private static final String UNUSED_CONVERTERS = "java\\.(sql|time)\\..*";

    private final CommandSpec spec = CommandSpec.wrapWithoutInspection(this);

    private Main() {
        spec.name("synscope");
        standardHelpOptions(spec);
        spec.usageMessage().description("Tells why TCP connections failed, from a packet capture.");
        exitCodes(spec,
                "0:analysed (whatever the verdicts)",
                "1:internal error (a bug: please report it)",
                "2:bad command line",
                "3:capture not found or cannot be opened",
                "4:capture is empty",
                "5:not a pcap, pcapng or gzip file",
                "6:corrupt capture (bad header or block)",
                "7:no frame of a link type synscope decodes",
                "8:I/O error while reading or writing",
                "20:live: no such interface",
                "21:live: not allowed to capture (needs root or CAP_NET_RAW)",
                "22:live: libpcap missing",
                "23:live: libpcap rejects the filter",
                "24:live: no such network namespace",
                "25:live: the interface went away (after the report of what was read)",
                "26:live: --metrics cannot listen on that address and port",
                "130:interrupted (Ctrl-C, SIGTERM); the report covers what was read");
    }

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
        CommandLine cl = commandLine();
        cl.setOut(out);
        cl.setErr(err);
        cl.setExecutionExceptionHandler(new CommandLine.IExecutionExceptionHandler() {
            @Override
            public int handleExecutionException(Exception ex, CommandLine commandLine,
                                                CommandLine.ParseResult parseResult) {
                commandLine.getErr().println("synscope: internal error: "
                        + Printable.escape(ex.toString())
                        + " (please report it with the command line and capture)");
                if (System.getenv("SYNSCOPE_DEBUG") != null) {
                    ex.printStackTrace(commandLine.getErr());
                }
                return ExitCode.INTERNAL_ERROR;
            }
        });
        cl.setParameterExceptionHandler(Main::badCommandLine);
        return cl.execute(args);
    }

    /**
     * picocli's own handling of a bad command line (the message, then suggestions or the
     * usage), with the message escaped: it quotes the argument that was wrong, as typed.
     */
    private static int badCommandLine(CommandLine.ParameterException ex, String[] args) {
        CommandLine cl = ex.getCommandLine();
        PrintWriter err = cl.getErr();
        String outOfRange = OptionRange.message(ex);
        if (outOfRange != null) {
            // Says all there is to say: the option, what it takes, what it got.
            err.println(cl.getColorScheme().errorText("synscope: "
                    + Printable.escape(outOfRange)));
            return cl.getCommandSpec().exitCodeOnInvalidInput();
        }
        err.println(cl.getColorScheme().errorText(Printable.escape(ex.getMessage())));
        if (!CommandLine.UnmatchedArgumentException.printSuggestions(ex, err)) {
            cl.usage(err, cl.getColorScheme());
        }
        return cl.getCommandSpec().exitCodeOnInvalidInput();
    }

    /**
     * The whole command model, every subcommand included: what runs, and what the build
     * generates the man page and shell completion from.
     */
    public static CommandLine commandLine() {
        if (System.getProperty("picocli.converters.excludes") == null) {
            System.setProperty("picocli.converters.excludes", UNUSED_CONVERTERS);
        }
        CommandLine cl = new CommandLine(new Main().spec);
        cl.addSubcommand("analyze", new CommandLine(new AnalyzeCommand().spec));
        cl.addSubcommand("live", new CommandLine(new LiveCommand().spec));
        cl.addSubcommand("lab", new CommandLine(new LabCommand().spec));
        cl.addSubcommand("help", new CommandLine(new HelpCommand().spec));
        return cl;
    }

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getOut());
    }

    /** {@code -h, --help} and {@code -V, --version}, as picocli's mixinStandardHelpOptions. */
    static void standardHelpOptions(CommandSpec spec) {
        spec.versionProvider(new Version());
        spec.addOption(OptionSpec.builder("-h", "--help").usageHelp(true)
                .description("Show this help message and exit.").build());
        spec.addOption(OptionSpec.builder("-V", "--version").versionHelp(true)
                .description("Print version information and exit.").build());
    }

    /** The usage's exit code section from {@code "code:meaning"} lines. */
    static void exitCodes(CommandSpec spec, String... codes) {
        spec.usageMessage().exitCodeListHeading("%nExit codes:%n")
                .exitCodeList(UsageMessageSpec.keyValuesMap(codes));
    }

    /** Adds {@code option} to {@code spec}; returns it, built, to read its value after parsing. */
    static OptionSpec add(CommandSpec spec, OptionSpec.Builder option) {
        OptionSpec o = option.build();
        spec.addOption(o);
        return o;
    }

    /** An option that is on or off: off unless given. */
    static OptionSpec.Builder flag(String name) {
        return OptionSpec.builder(name).type(boolean.class).initialValue(false);
    }

    /**
     * {@code --version}: the version from the jar's manifest, the git commit and time of the
     * build (build-info.properties, written by the build; "unknown" when it could not tell, as
     * in a build without .git), and the Java that runs it. The first line alone is the version,
     * as before (the man page's header takes it).
     */
    static final class Version implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            java.util.Properties build = buildInfo();
            return new String[] {
                "synscope " + version(),
                "commit " + commit(build),
                "built  " + known(build.getProperty("time")),
                // picocli formats each line: no % may reach it unescaped
                ("java   " + System.getProperty("java.version") + " ("
                        + System.getProperty("java.vendor") + ", "
                        + System.getProperty("java.vm.name") + ") at "
                        + System.getProperty("java.home")).replace("%", "%%"),
            };
        }

        /** The git commit of the build, {@code -dirty} if it had changes, or "unknown". */
        static String commit(java.util.Properties build) {
            String commit = known(build.getProperty("commit"));
            return !commit.equals("unknown") && "true".equals(build.getProperty("dirty"))
                    ? commit + "-dirty" : commit;
        }

        /** build-info.properties, written by the build; empty if it is missing or unreadable. */
        static java.util.Properties buildInfo() {
            java.util.Properties build = new java.util.Properties();
            try (java.io.InputStream in = Main.class.getResourceAsStream("build-info.properties")) {
                if (in != null) {
                    build.load(in);
                }
            } catch (java.io.IOException | IllegalArgumentException e) {
                // unreadable: every field says unknown
            }
            return build;
        }

        /** A build-info value, or "unknown" if it is missing or was not filled in. */
        private static String known(String value) {
            return value == null || value.isBlank() || value.startsWith("${") ? "unknown" : value;
        }
    }

    /**
     * Whether file descriptor {@code fd} of this process (1 stdout, 2 stderr) is a terminal, one
     * that can redraw a line: not a file, a pipe or a dumb terminal.
     */
    static boolean isTerminal(int fd) {
        try {
            String target = Files.readSymbolicLink(Path.of("/proc/self/fd/" + fd)).toString();
            return (target.startsWith("/dev/pts/") || target.startsWith("/dev/tty"))
                    && !"dumb".equals(System.getenv("TERM"));
        } catch (IOException | UnsupportedOperationException | SecurityException e) {
            return false;
        }
    }

    /** Standard output is a terminal that can show colour, and the user has not said no. */
    static boolean terminalWantsColor() {
        return System.console() != null && System.getenv("NO_COLOR") == null
                && !"dumb".equals(System.getenv("TERM"));
    }

    /**
     * The command line's own output (so tests capture it), as a Writer that closing leaves open
     * and that fails as a stream should: a PrintWriter only sets a flag when its output breaks,
     * and {@code synscope live | head -1} must end when {@code head} does, not capture on.
     */
    static Writer stdout(CommandSpec spec) {
        PrintWriter stdout = spec.commandLine().getOut();
        return new FilterWriter(stdout) {
            @Override
            public void write(char[] buf, int off, int len) throws IOException {
                super.write(buf, off, len);
                failIfBroken();
            }

            @Override
            public void write(String s, int off, int len) throws IOException {
                super.write(s, off, len);
                failIfBroken();
            }

            @Override
            public void write(int c) throws IOException {
                super.write(c);
                failIfBroken();
            }

            @Override
            public void flush() throws IOException {
                failIfBroken();
            }

            private void failIfBroken() throws IOException {
                // checkError flushes: a write through it reaches the output at once.
                if (stdout.checkError()) {
                    throw new IOException("standard output is closed (Broken pipe)");
                }
            }

            @Override
            public void close() {
                stdout.flush();
            }
        };
    }

    /**
     * Says why the report (or {@code output}, when it was to go to a file) could not be written;
     * returns the exit code.
     */
    static int writeFailure(PrintWriter err, String output, IOException e) {
        if (e instanceof FileNotFoundException) {
            err.println("synscope: cannot write " + Printable.escape(output + ": "
                    + e.getMessage()));
        } else {
            err.println("synscope: I/O error: " + Printable.escape(e.getMessage()));
        }
        return ExitCode.IO_ERROR;
    }

    /**
     * The capture's warnings, one line each and naming the capture, as errors do, for when the
     * report itself does not show them.
     */
    static void printWarnings(PrintWriter err, CaptureInfo info) {
        // Several files' warnings name the file they come from themselves.
        String prefix = info.files().size() > 1 ? "" : info.name() + ": ";
        for (String w : info.warnings()) {
            err.println("synscope: warning: " + Printable.escape(prefix + w));
        }
    }

    /**
     * The plain version: the jar manifest's, else (classes run from a build folder, as in tests
     * and the build's man page generation) build-info.properties', else "dev".
     */
    static String version() {
        String v = Main.class.getPackage().getImplementationVersion();
        if (v == null) {
            v = Version.buildInfo().getProperty("version");
        }
        return v == null || v.isBlank() || v.startsWith("${") ? "dev" : v;
    }
}
