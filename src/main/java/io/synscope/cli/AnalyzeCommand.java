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
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.io.BufferedWriter;
import java.io.FileNotFoundException;
import java.io.FileOutputStream;
import java.io.FilterWriter;
import java.io.IOException;
import java.io.OutputStreamWriter;
import java.io.PrintWriter;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.TimeUnit;

/** {@code synscope analyze FILE}: the main job. */
@Command(name = "analyze", mixinStandardHelpOptions = true,
        versionProvider = Main.Version.class,
        description = {"Rebuilds every TCP handshake and teardown in a capture, names each"
                + " connection's failure with its evidence packets, and reports a timeline.",
                "FILE may be pcap or pcapng, gzip-compressed or not, or - for stdin"
                        + " (tcpdump -w - | synscope analyze -)."})
final class AnalyzeCommand implements Callable<Integer> {
    /** How long an interrupted run may take to write its report before the JVM exits anyway. */
    private static final long REPORT_GRACE_SECONDS = 10;

    enum OutputFormat { text, json }

    enum ColorMode { auto, always, never }

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Parameters(index = "0", paramLabel = "FILE", description = "capture file, or - for stdin")
    String file;

    @Option(names = "--format", defaultValue = "text",
            description = "text (default) or json (schema: docs/json-schema.md)")
    OutputFormat format;

    @Option(names = {"-o", "--output"}, paramLabel = "OUT", description = "write the report to OUT")
    String output;

    @Option(names = "--all", description = "json: list every connection, not only failures")
    boolean all;

    @Option(names = "--max-ladders", defaultValue = "20", paramLabel = "N",
            description = "text: ladders of at most N failures (default ${DEFAULT-VALUE})")
    int maxLadders;

    @Option(names = "--color", defaultValue = "auto",
            description = "auto (on a terminal, unless NO_COLOR is set), always or never")
    ColorMode color;

    @Option(names = "--pretty", description = "json: indent the document")
    boolean pretty;

    @Option(names = "--idle-timeout", defaultValue = "300", paramLabel = "SECONDS",
            description = "a connection silent this long is judged as it stands (default ${DEFAULT-VALUE})")
    long idleTimeoutSeconds;

    @Option(names = "--threads", paramLabel = "N",
            description = "tracking threads (default: one per processor); 1 also keeps --format"
                    + " json's connections in decision order from run to run")
    Integer threads;

    @Override
    public Integer call() {
        PrintWriter err = spec.commandLine().getErr();
        if (maxLadders < 0 || idleTimeoutSeconds <= 0 || (threads != null && threads < 1)) {
            err.println("synscope: --max-ladders must be ≥ 0, --idle-timeout and --threads > 0");
            return ExitCode.USAGE;
        }
        AnalysisConfig config = AnalysisConfig.defaults()
                .withIdleTimeoutNanos(TimeUnit.SECONDS.toNanos(idleTimeoutSeconds));
        // Ctrl-C (also what `tcpdump … | synscope analyze -` gets) stops reading and still
        // writes the report of what was read: the JVM waits in this hook until it is written.
        AtomicBoolean stop = new AtomicBoolean();
        CountDownLatch reported = new CountDownLatch(1);
        Thread onInterrupt = new Thread(() -> {
            stop.set(true);
            try {
                reported.await(REPORT_GRACE_SECONDS, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }, "synscope-interrupt");
        Runtime.getRuntime().addShutdownHook(onInterrupt);
        try (PacketSource source = Captures.open(file);
             Writer out = openOutput()) {
            AnalysisSink sink = format == OutputFormat.json
                    ? new JsonReport(out, all, pretty, Main.version())
                    : new TextReport(new PrintWriter(out), useColor(), maxLadders,
                    Main.version());
            int shards = threads != null ? threads : Runtime.getRuntime().availableProcessors();
            CaptureInfo info = new Analyzer(config, shards).run(source, sink, stop::get);
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
            reported.countDown();
            try {
                Runtime.getRuntime().removeShutdownHook(onInterrupt);
            } catch (IllegalStateException shuttingDown) {
                // Interrupted: the hook is running and lets the JVM go now that we are done.
            }
        }
    }

    /** The report's destination: the command line's own output (so tests capture it), or OUT. */
    private Writer openOutput() throws FileNotFoundException {
        if (output == null || output.equals("-")) {
            PrintWriter stdout = spec.commandLine().getOut();
            return new FilterWriter(stdout) {
                @Override
                public void close() {
                    stdout.flush();
                }
            };
        }
        return new BufferedWriter(new OutputStreamWriter(new FileOutputStream(output),
                StandardCharsets.UTF_8), 1 << 16);
    }

    private boolean useColor() {
        return switch (color) {
            case always -> true;
            case never -> false;
            case auto -> output == null && System.console() != null
                    && System.getenv("NO_COLOR") == null
                    && !"dumb".equals(System.getenv("TERM"));
        };
    }
}
