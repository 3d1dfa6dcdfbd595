package io.synscope.cli;

import io.synscope.flow.AnalysisConfig;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;

import java.io.BufferedOutputStream;
import java.io.FileNotFoundException;
import java.io.FileOutputStream;
import java.io.OutputStream;
import java.io.PrintWriter;
import java.util.concurrent.TimeUnit;

/**
 * The options {@code analyze} and {@code live} share: where the report goes and what it holds,
 * and the analysis settings. One declaration, so that both commands spell and document them
 * alike.
 */
final class ReportOptions {
    enum ColorMode { auto, always, never }

    private final OptionSpec output;
    private final OptionSpec all;
    private final OptionSpec maxLadders;
    private final OptionSpec color;
    private final OptionSpec pretty;
    private final OptionSpec idleTimeoutSeconds;
    private final OptionSpec threads;

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
                .description("text, html: ladders of at most N failures (default ${DEFAULT-VALUE})"));
        color = Main.add(spec, OptionSpec.builder("--color")
                .type(ColorMode.class).paramLabel("<color>").defaultValue("auto")
                .description("auto (on a terminal, unless NO_COLOR is set), always or never"));
        pretty = Main.add(spec, Main.flag("--pretty").description("json: indent the document"));
        idleTimeoutSeconds = Main.add(spec, OptionSpec.builder("--idle-timeout").type(long.class)
                .paramLabel("SECONDS").defaultValue("300").description("a connection silent this"
                        + " long is judged as it stands (default ${DEFAULT-VALUE})"));
        threads = Main.add(spec, OptionSpec.builder("--threads").type(Integer.class)
                .paramLabel("N").description(threadsHelp));
    }

    /** Checks the ranges; prints what is wrong and returns false when one is out. */
    boolean valid(PrintWriter err) {
        int ladders = maxLadders.getValue();
        long idle = idleTimeoutSeconds.getValue();
        Integer n = threads.getValue();
        if (ladders < 0 || idle <= 0 || (n != null && n < 1)) {
            err.println("synscope: --max-ladders must be ≥ 0, --idle-timeout and --threads > 0");
            return false;
        }
        return true;
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

    boolean all() {
        return all.getValue();
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
}
