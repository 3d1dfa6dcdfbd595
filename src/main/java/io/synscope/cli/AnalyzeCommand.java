package io.synscope.cli;

import io.synscope.capture.CaptureException;
import io.synscope.capture.Captures;
import io.synscope.capture.MergedSource;
import io.synscope.capture.PacketSource;
import io.synscope.capture.Printable;
import io.synscope.export.Spool;
import io.synscope.pipeline.AnalysisSink;
import io.synscope.pipeline.Analyzer;
import io.synscope.pipeline.CaptureInfo;
import io.synscope.pipeline.KernelDocument;
import io.synscope.pipeline.KernelLog;
import io.synscope.report.CsvReport;
import io.synscope.report.ProgressBar;
import io.synscope.report.Selection;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;
import picocli.CommandLine.Model.PositionalParamSpec;

import java.io.FileDescriptor;
import java.io.FileInputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.OutputStreamWriter;
import java.io.PrintWriter;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

/** {@code synscope analyze FILE...}: the main job. */
final class AnalyzeCommand implements Callable<Integer> {
    /** How long an interrupted run may take to write its report before the JVM exits anyway. */
    private static final long REPORT_GRACE_SECONDS = 10;
    /**
     * After Ctrl-C, how long --export's second pass may go on: it reads no further than the
     * report did, but over a large capture that can take longer than the report's grace. Past
     * it the export stops and its file is finished (a valid capture of what was written).
     */
    private static final long EXPORT_GRACE_SECONDS = 60;

    enum OutputFormat { text, json, csv, html }

    final CommandSpec spec = CommandSpec.wrapWithoutInspection(this);
    private final PositionalParamSpec files = PositionalParamSpec.builder().index("0..*")
            .arity("1..*").type(List.class).auxiliaryTypes(String.class).required(true)
            .paramLabel("FILE").description("capture files or directories of them, read as one"
                    + " capture in time order; or - for stdin").build();
    private final OptionSpec format = Main.add(spec, OptionSpec.builder("--format")
            .type(OutputFormat.class).paramLabel("<format>").defaultValue("text")
            .description("text (default), json (schema: docs/json-schema.md), csv (columns:"
                    + " docs/csv.md) or html (one self-contained page: docs/html.md)"));
    private final ReportOptions report = new ReportOptions(spec, "threads, the reading one"
            + " included (default: one per processor plus the reading one, one on a single"
            + " processor); 1 also keeps --format json's connections"
            + " in decision order from run to run");
    private final SelectionOptions selection = new SelectionOptions(spec);
    private final ExportOption export = new ExportOption(spec, "also write the packets of the"
            + " connections the report lists (failures by default) to FILE: pcap, or pcapng if"
            + " FILE ends in .pcapng or the capture has several link types");
    private final OptionSpec quiet = Main.add(spec, Main.flag("--quiet").names("-q", "--quiet")
            .description("nothing on stderr but errors: no progress bar, no warnings (the"
                    + " report still has them)"));

    AnalyzeCommand() {
        spec.name("analyze");
        Main.standardHelpOptions(spec);
        spec.usageMessage().description("Rebuilds every TCP handshake and teardown in a capture,"
                        + " names each connection's failure with its evidence packets, and"
                        + " reports a timeline.",
                "FILE may be pcap or pcapng, gzip-compressed or not, or - for stdin"
                        + " (tcpdump -w - | synscope analyze -). Several files (rotated by"
                        + " tcpdump -C or -G, in any order), or a directory of them, are read as"
                        + " one capture in time order.");
        spec.addPositional(files);
    }

    @Override
    public Integer call() {
        PrintWriter err = spec.commandLine().getErr();
        Selection selected = selection.parse(err);
        if (selected == null) {
            return ExitCode.USAGE;
        }
        List<String> inputs = files.getValue();
        if (inputs.size() > 1 && inputs.contains("-")) {
            err.println("synscope: - (stdin) can only be the single input, not one of several");
            return ExitCode.USAGE;
        }
        if (export.clashes(inputs, err) || export.clashesWithReport(report.output(), err)) {
            return ExitCode.USAGE;
        }
        ExportOption.Target exporting = export.path() == null ? null : export.open(err);
        if (export.path() != null && exporting == null) {
            return ExitCode.IO_ERROR;
        }
        OutputFormat format = this.format.getValue();
        String output = report.output();
        Interrupt onInterrupt = new Interrupt(exporting != null);
        Runtime.getRuntime().addShutdownHook(onInterrupt);
        // Standard input is kept for the export's second pass: a pipe is read once.
        Spool spool = null;
        try (ExportOption.Target target = exporting;
             PacketSource source = target != null && inputs.equals(List.of("-"))
                     ? Captures.open("-", spool = new Spool(new FileInputStream(FileDescriptor.in)))
                     : MergedSource.open(inputs);
             OutputStream toFile = report.openOutput();
             Writer out = toFile != null ? new OutputStreamWriter(toFile, StandardCharsets.UTF_8)
                     : Main.stdout(spec)) {
            boolean all = report.all(selected);
            AnalysisSink sink = report.selectedAndExported(switch (format) {
                case text -> report.textReport(out, selected);
                case json -> report.jsonReport(out, toFile, all);
                case csv -> new CsvReport(out, all, false);
                case html -> report.htmlReport(out, all, selected);
            }, selected, target);
            Integer threads = report.threads();
            KernelLog kernel = source.parts().isEmpty() ? KernelDocument.fromCapture(inputs.get(0))
                    : KernelDocument.fromCaptures(source.parts());
            Analyzer analyzer = (threads == null ? new Analyzer(report.config())
                    : new Analyzer(report.config(), threads)).kernel(kernel);
            if (showProgress(format, output)) {
                analyzer.progress(new ProgressBar(err));
            }
            CaptureException damage = null;
            CaptureInfo info = null;
            try {
                info = analyzer.run(source, sink, onInterrupt);
            } catch (CaptureException e) {
                if (target == null || !target.analysed()) {
                    throw e;
                }
                // Damaged part-way: the report covers what came before, and so does the export.
                damage = e;
            }
            if (info != null && !quiet.<Boolean>getValue()
                    && (output != null || format != OutputFormat.text)) {
                // The text report on the terminal already shows them.
                Main.printWarnings(err, info);
            }
            int exported = target == null ? ExitCode.OK
                    : exportAgain(target, inputs, spool, kernel, err, onInterrupt::exportDue);
            if (damage != null) {
                err.println("synscope: " + damage.describe());
                return ExitCode.of(damage.kind());
            }
            return exported;
        } catch (CaptureException e) {
            err.println("synscope: " + e.describe());
            return ExitCode.of(e.kind());
        } catch (IOException e) {
            return Main.writeFailure(err, output, e);
        } finally {
            if (spool != null) {
                spool.delete();
            }
            onInterrupt.reported.countDown();
            try {
                Runtime.getRuntime().removeShutdownHook(onInterrupt);
            } catch (IllegalStateException shuttingDown) {
                // Interrupted: the hook is running and lets the JVM go now that we are done.
            }
        }
    }

    /**
     * The export's second pass: the same inputs opened anew (standard input from its spool).
     */
    private int exportAgain(ExportOption.Target target, List<String> inputs, Spool spool,
                            KernelLog kernel, PrintWriter err, BooleanSupplier stop)
            throws CaptureException, IOException {
        if (spool != null) {
            spool.close();
            if (spool.failure() != null) {
                err.println("synscope: --export: standard input could not be kept for the"
                        + " export (" + Printable.escape(String.valueOf(spool.failure()
                        .getMessage())) + " in " + spool.file() + "): nothing exported; write"
                        + " the capture to a file first");
                return ExitCode.IO_ERROR;
            }
        }
        try (PacketSource again = spool != null ? Captures.open(spool.file().toString())
                : MergedSource.open(inputs)) {
            return target.write(again, kernel == null ? null : KernelDocument.write(kernel), err,
                    quiet.<Boolean>getValue(), stop);
        }
    }

    /**
     * A progress bar on stderr when it is a terminal, unless --quiet, and not when the report
     * goes to a terminal as it is made (JSON and CSV stream their connections): the text report
     * is written once reading is over and the bar erased.
     */
    private boolean showProgress(OutputFormat format, String output) {
        return !quiet.<Boolean>getValue() && Main.isTerminal(2)
                && (output != null || format == OutputFormat.text || !Main.isTerminal(1));
    }

    /**
     * Ctrl-C (also what {@code tcpdump … | synscope analyze -} gets) stops reading and still
     * writes the report of what was read, and --export's packets of it: the JVM waits in this
     * shutdown hook until they are written, or for {@link #REPORT_GRACE_SECONDS} (plus
     * {@link #EXPORT_GRACE_SECONDS} with --export).
     */
    private static final class Interrupt extends Thread implements BooleanSupplier {
        final CountDownLatch reported = new CountDownLatch(1);
        private final boolean exporting;
        private volatile boolean stop;
        private volatile long stopNanos;

        Interrupt(boolean exporting) {
            super("synscope-interrupt");
            this.exporting = exporting;
        }

        /** Whether to stop reading. */
        @Override
        public boolean getAsBoolean() {
            return stop;
        }

        /**
         * Whether the export's second pass must stop: not at Ctrl-C itself (the packets of what
         * the report lists are still due), only once its grace is nearly over, early enough for
         * the file to be finished before the JVM goes.
         */
        boolean exportDue() {
            return stop && System.nanoTime() - stopNanos
                    > TimeUnit.SECONDS.toNanos(REPORT_GRACE_SECONDS + EXPORT_GRACE_SECONDS - 2);
        }

        @Override
        public void run() {
            stopNanos = System.nanoTime();
            stop = true;
            try {
                reported.await(REPORT_GRACE_SECONDS + (exporting ? EXPORT_GRACE_SECONDS : 0),
                        TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }
}
