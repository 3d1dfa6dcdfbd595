package io.synscope.cli;

import io.synscope.capture.CaptureException;
import io.synscope.capture.Captures;
import io.synscope.capture.PacketSource;
import io.synscope.diagnose.AnalysisSink;
import io.synscope.diagnose.Analyzer;
import io.synscope.diagnose.CaptureInfo;
import io.synscope.flow.AnalysisConfig;
import io.synscope.report.JsonReport;
import io.synscope.report.TextReport;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;
import picocli.CommandLine.Model.PositionalParamSpec;

import java.io.BufferedOutputStream;
import java.io.FileNotFoundException;
import java.io.FileOutputStream;
import java.io.FilterWriter;
import java.io.IOException;
import java.io.OutputStream;
import java.io.OutputStreamWriter;
import java.io.PrintWriter;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

/** {@code synscope analyze FILE}: the main job. */
final class AnalyzeCommand implements Callable<Integer> {
    /** How long an interrupted run may take to write its report before the JVM exits anyway. */
    private static final long REPORT_GRACE_SECONDS = 10;

    enum OutputFormat { text, json }

    enum ColorMode { auto, always, never }

    final CommandSpec spec = CommandSpec.wrapWithoutInspection(this);
    private final PositionalParamSpec file = PositionalParamSpec.builder().index("0")
            .type(String.class).required(true).paramLabel("FILE")
            .description("capture file, or - for stdin").build();
    private final OptionSpec format = Main.add(spec, OptionSpec.builder("--format")
            .type(OutputFormat.class).paramLabel("<format>").defaultValue("text")
            .description("text (default) or json (schema: docs/json-schema.md)"));
    private final OptionSpec output = Main.add(spec, OptionSpec.builder("-o", "--output")
            .type(String.class).paramLabel("OUT").description("write the report to OUT"));
    private final OptionSpec all = Main.add(spec, Main.flag("--all")
            .description("json: list every connection, not only failures"));
    private final OptionSpec maxLadders = Main.add(spec, OptionSpec.builder("--max-ladders")
            .type(int.class).paramLabel("N").defaultValue("20")
            .description("text: ladders of at most N failures (default ${DEFAULT-VALUE})"));
    private final OptionSpec color = Main.add(spec, OptionSpec.builder("--color")
            .type(ColorMode.class).paramLabel("<color>").defaultValue("auto")
            .description("auto (on a terminal, unless NO_COLOR is set), always or never"));
    private final OptionSpec pretty = Main.add(spec, Main.flag("--pretty")
            .description("json: indent the document"));
    private final OptionSpec idleTimeoutSeconds = Main.add(spec,
            OptionSpec.builder("--idle-timeout").type(long.class).paramLabel("SECONDS")
                    .defaultValue("300").description("a connection silent this long is judged"
                            + " as it stands (default ${DEFAULT-VALUE})"));
    private final OptionSpec threads = Main.add(spec, OptionSpec.builder("--threads")
            .type(Integer.class).paramLabel("N")
            .description("threads, the reading one included (default: one per processor); 1"
                    + " also keeps --format json's connections in decision order from run to"
                    + " run"));

    AnalyzeCommand() {
        spec.name("analyze");
        Main.standardHelpOptions(spec);
        spec.usageMessage().description("Rebuilds every TCP handshake and teardown in a capture,"
                        + " names each connection's failure with its evidence packets, and"
                        + " reports a timeline.",
                "FILE may be pcap or pcapng, gzip-compressed or not, or - for stdin"
                        + " (tcpdump -w - | synscope analyze -).");
        spec.addPositional(file);
    }

    @Override
    public Integer call() {
        PrintWriter err = spec.commandLine().getErr();
        int maxLadders = this.maxLadders.getValue();
        long idleTimeoutSeconds = this.idleTimeoutSeconds.getValue();
        Integer threads = this.threads.getValue();
        String output = this.output.getValue();
        OutputFormat format = this.format.getValue();
        if (maxLadders < 0 || idleTimeoutSeconds <= 0 || (threads != null && threads < 1)) {
            err.println("synscope: --max-ladders must be ≥ 0, --idle-timeout and --threads > 0");
            return ExitCode.USAGE;
        }
        AnalysisConfig config = AnalysisConfig.defaults()
                .withIdleTimeoutNanos(TimeUnit.SECONDS.toNanos(idleTimeoutSeconds));
        Interrupt onInterrupt = new Interrupt();
        Runtime.getRuntime().addShutdownHook(onInterrupt);
        try (PacketSource source = Captures.open(file.getValue());
             OutputStream toFile = openFile(output);
             Writer out = toFile != null ? new OutputStreamWriter(toFile, StandardCharsets.UTF_8)
                     : stdout()) {
            AnalysisSink sink = format == OutputFormat.text
                    ? new TextReport(new PrintWriter(out), useColor(output), maxLadders,
                    Main.version())
                    // JSON to a file is written as bytes, not through the Writer: see JsonReport.
                    : toFile != null
                    ? new JsonReport(toFile, all.getValue(), pretty.getValue(), Main.version())
                    : new JsonReport(out, all.getValue(), pretty.getValue(), Main.version());
            Analyzer analyzer = threads == null ? new Analyzer(config) : new Analyzer(config, threads);
            CaptureInfo info = analyzer.run(source, sink, onInterrupt);
            if (output != null || format == OutputFormat.json) {
                // The text report on the terminal already shows them.
                for (String w : info.warnings()) {
                    err.println("synscope: warning: " + w);
                }
            }
            return ExitCode.OK;
        } catch (CaptureException e) {
            err.println("synscope: " + e.describe());
            return ExitCode.of(e.kind());
        } catch (FileNotFoundException e) {
            err.println("synscope: cannot write " + output + ": " + e.getMessage());
            return ExitCode.IO_ERROR;
        } catch (IOException e) {
            err.println("synscope: I/O error: " + e.getMessage());
            return ExitCode.IO_ERROR;
        } finally {
            onInterrupt.reported.countDown();
            try {
                Runtime.getRuntime().removeShutdownHook(onInterrupt);
            } catch (IllegalStateException shuttingDown) {
                // Interrupted: the hook is running and lets the JVM go now that we are done.
            }
        }
    }

    /**
     * Ctrl-C (also what {@code tcpdump … | synscope analyze -} gets) stops reading and still
     * writes the report of what was read: the JVM waits in this shutdown hook until it is
     * written, or for {@link #REPORT_GRACE_SECONDS}.
     */
    private static final class Interrupt extends Thread implements BooleanSupplier {
        final CountDownLatch reported = new CountDownLatch(1);
        private volatile boolean stop;

        Interrupt() {
            super("synscope-interrupt");
        }

        /** Whether to stop reading. */
        @Override
        public boolean getAsBoolean() {
            return stop;
        }

        @Override
        public void run() {
            stop = true;
            try {
                reported.await(REPORT_GRACE_SECONDS, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    /** OUT, or null when the report goes to the command line's own output. */
    private static OutputStream openFile(String output) throws FileNotFoundException {
        return output == null || output.equals("-") ? null
                : new BufferedOutputStream(new FileOutputStream(output), 1 << 16);
    }

    /** The command line's own output (so tests capture it), left open. */
    private Writer stdout() {
        PrintWriter stdout = spec.commandLine().getOut();
        return new FilterWriter(stdout) {
            @Override
            public void close() {
                stdout.flush();
            }
        };
    }

    private boolean useColor(String output) {
        ColorMode mode = color.getValue();
        return switch (mode) {
            case always -> true;
            case never -> false;
            case auto -> output == null && Main.terminalWantsColor();
        };
    }
}
