package io.synscope.cli;

import io.synscope.flow.AnalysisConfig;
import io.synscope.pipeline.AnalysisSink;
import io.synscope.pipeline.TeeSink;
import io.synscope.report.HtmlReport;
import io.synscope.report.JsonReport;
import io.synscope.report.ReportZone;
import io.synscope.report.SelectingSink;
import io.synscope.report.Selection;
import io.synscope.report.TextReport;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;

import java.io.BufferedOutputStream;
import java.io.FileNotFoundException;
import java.io.FileOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintWriter;
import java.io.Writer;
import java.util.concurrent.TimeUnit;

/**
 * The options {@code analyze} and {@code live} share: where the report goes and what it holds,
 * and the analysis settings. One declaration, so that both commands spell and document them
 * alike; and the reports both commands make from them, built alike.
 */
final class ReportOptions {
    enum ColorMode { auto, always, never }

    /**
     * More tracker threads than processors buy nothing, and each costs its stack, its queues of
     * segments and its connection table (demo.pcap: 54 MB resident with one thread, 336 MB with
     * 64; 5000 ended in OutOfMemoryError at 6.5 GB). A fixed bound rather than one from the
     * processor count, so that a command line that works on one box works on the next.
     */
    static final int MAX_THREADS = 64;
    /**
     * Every ladder kept waits in memory for the end of the capture; more than this many is a
     * report nobody reads: {@code --format json} lists every failure.
     */
    static final int MAX_LADDERS = 100_000;
    /** A year: a longer idle timeout is the same as none, and its nanoseconds still fit a long. */
    static final long MAX_IDLE_TIMEOUT_SECONDS = 365L * 24 * 3600;

    private final OptionSpec output;
    private final OptionSpec all;
    private final OptionSpec maxLadders;
    private final OptionSpec color;
    private final OptionSpec pretty;
    private final OptionSpec idleTimeoutSeconds;
    private final OptionSpec threads;
    private final OptionSpec tz;

    /**
     * Adds the options to {@code spec}.
     *
     * @param threadsHelp what {@code --threads} defaults to for this command
     */
    ReportOptions(CommandSpec spec, String threadsHelp) {
        output = Main.add(spec, OptionSpec.builder("-o", "--output")
                .type(String.class).paramLabel("OUT").description("write the report to OUT"));
        all = Main.add(spec, Main.flag("--all")
                .description("json, ndjson, csv, html's table, live text: every connection, not"
                        + " only failures"));
        maxLadders = Main.add(spec, OptionSpec.builder("--max-ladders")
                .type(int.class).paramLabel("N").defaultValue("20")
                .converters(OptionRange.ints("--max-ladders", 0, MAX_LADDERS,
                        "--format json lists every failure"))
                .description("text, html: ladders of at most N failures (default ${DEFAULT-VALUE},"
                        + " at most " + MAX_LADDERS + ")"));
        color = Main.add(spec, OptionSpec.builder("--color")
                .type(ColorMode.class).paramLabel("<color>").defaultValue("auto")
                .description("auto (on a terminal, unless NO_COLOR is set), always or never"));
        pretty = Main.add(spec, Main.flag("--pretty").description("json: indent the document"));
        idleTimeoutSeconds = Main.add(spec, OptionSpec.builder("--idle-timeout").type(long.class)
                .paramLabel("SECONDS").defaultValue("300")
                .converters(OptionRange.longs("--idle-timeout", 1, MAX_IDLE_TIMEOUT_SECONDS,
                        "a year"))
                .description("a connection silent this long is judged as it stands"
                        + " (default ${DEFAULT-VALUE}, at most a year: "
                        + MAX_IDLE_TIMEOUT_SECONDS + ")"));
        threads = Main.add(spec, OptionSpec.builder("--threads").type(Integer.class)
                .converters(OptionRange.ints("--threads", 1, MAX_THREADS, ""))
                .paramLabel("N").description(threadsHelp + "; at most " + MAX_THREADS));
        tz = Main.add(spec, OptionSpec.builder("--tz").type(ReportZone.class)
                .converters(OptionRange.zone("--tz")).paramLabel("ZONE").defaultValue("UTC")
                .description("text: the time zone of the times shown: " + ReportZone.ACCEPTED
                        + "; JSON and CSV stay in UTC"));
    }

    /** --tz: the zone of the text report's times. */
    ReportZone zone() {
        return tz.getValue();
    }

    AnalysisConfig config() {
        return AnalysisConfig.defaults().withIdleTimeoutNanos(
                TimeUnit.SECONDS.toNanos(idleTimeoutSeconds.<Long>getValue()));
    }

    /** --threads, or null for the command's default. */
    Integer threads() {
        return threads.getValue();
    }

    /** OUT, or null when the report goes to the command line's own output. */
    String output() {
        String o = output.getValue();
        return o == null || o.equals("-") ? null : o;
    }

    /** OUT opened for writing, or null (see {@link #output()}). */
    OutputStream openOutput() throws FileNotFoundException {
        String o = output();
        return o == null ? null : new BufferedOutputStream(new FileOutputStream(o), 1 << 16);
    }

    /**
     * Whether the report (and --export) lists every connection, not only failures: --all, or a
     * selection that names healthy connections.
     */
    boolean all(Selection chosen) {
        return all.<Boolean>getValue() || chosen.namesHealthy();
    }

    boolean pretty() {
        return pretty.getValue();
    }

    int maxLadders() {
        return maxLadders.getValue();
    }

    /** Whether to colour what goes to the command line's output. */
    boolean useColor() {
        ColorMode mode = color.getValue();
        return switch (mode) {
            case always -> true;
            case never -> false;
            case auto -> output() == null && Main.terminalWantsColor();
        };
    }

    /** The text report of the whole capture (live's runs under its {@code LiveText}). */
    TextReport textReport(Writer out, Selection chosen) {
        return new TextReport(new PrintWriter(out), useColor(), maxLadders(), Main.version(),
                chosen.text(), zone());
    }

    /**
     * The JSON report: to OUT ({@code toFile}, see {@link #openOutput()}) written as bytes, not
     * through the Writer (see JsonReport); else to {@code out}.
     */
    JsonReport jsonReport(Writer out, OutputStream toFile, boolean all) throws IOException {
        return toFile != null ? new JsonReport(toFile, all, pretty(), Main.version())
                : new JsonReport(out, all, pretty(), Main.version());
    }

    HtmlReport htmlReport(Writer out, boolean all, Selection chosen) {
        return new HtmlReport(out, all, maxLadders(), Main.version(), chosen.text(), zone());
    }

    /**
     * {@code report} given only the connections {@code chosen} selects, beside --export's
     * packets of them ({@code target}, or null without --export).
     */
    AnalysisSink selectedAndExported(AnalysisSink report, Selection chosen,
                                     ExportOption.Target target) {
        AnalysisSink sink = chosen.isAll() ? report : new SelectingSink(report, chosen);
        return target == null ? sink : new TeeSink(sink, target.sink(chosen, all(chosen)));
    }
}
