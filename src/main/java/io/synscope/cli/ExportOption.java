package io.synscope.cli;

import io.synscope.capture.CaptureWriter;
import io.synscope.capture.PacketSource;
import io.synscope.capture.Printable;
import io.synscope.export.PacketExport;
import io.synscope.pipeline.AnalysisSink;
import io.synscope.pipeline.CaptureInfo;
import io.synscope.report.SelectingSink;
import io.synscope.report.Selection;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;

import java.io.FileNotFoundException;
import java.io.FileOutputStream;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.util.List;
import java.util.function.BooleanSupplier;

/**
 * {@code --export FILE} of {@code analyze} and {@code live} (docs/usage.md#exporting-packets):
 * the packets of the connections the report lists, failures by default, as a capture. The file
 * is opened before any work, so that a path that cannot be written is said at once (exit code
 * 8); its packets are written after the analysis, by a second pass over the capture
 * ({@link PacketExport}).
 */
final class ExportOption {
    private final OptionSpec export;

    ExportOption(CommandSpec spec, String help) {
        export = Main.add(spec, OptionSpec.builder("--export").type(String.class)
                .paramLabel("FILE").description(help));
    }

    /** FILE, or null when not given. */
    String path() {
        return export.getValue();
    }

    /**
     * Whether FILE is one of {@code inputs} (a file, or in a directory given as one): writing
     * it would destroy what is to be read. Says so, a usage error.
     */
    boolean clashes(List<String> inputs, PrintWriter err) {
        String path = path();
        if (path == null) {
            return false;
        }
        try {
            Path target = Path.of(path).toAbsolutePath().normalize();
            for (String input : inputs) {
                if ("-".equals(input)) {
                    continue;
                }
                Path in = Path.of(input).toAbsolutePath().normalize();
                boolean same = Files.isDirectory(in) ? in.equals(target.getParent())
                        || Files.exists(target) && Files.isSameFile(in, target.getParent())
                        : in.equals(target) || Files.exists(target) && Files.exists(in)
                        && Files.isSameFile(in, target);
                if (same) {
                    err.println("synscope: --export " + Printable.escape(path) + ": would"
                            + " overwrite an input (" + Printable.escape(input) + "); name a file"
                            + " outside the inputs");
                    return true;
                }
            }
        } catch (InvalidPathException | IOException e) {
            // Opening it says what is wrong with it.
        }
        return false;
    }

    /**
     * Whether FILE is also the report's {@code -o} file (one would overwrite the other): said
     * on {@code err}. A device such as /dev/null may take both.
     */
    boolean clashesWithReport(String output, PrintWriter err) {
        String path = path();
        if (path == null || output == null) {
            return false;
        }
        try {
            Path target = Path.of(path).toAbsolutePath().normalize();
            Path report = Path.of(output).toAbsolutePath().normalize();
            boolean same = Files.exists(target) ? Files.isRegularFile(target)
                    && Files.exists(report) && Files.isSameFile(target, report)
                    : target.equals(report);
            if (same) {
                err.println("synscope: --export " + Printable.escape(path) + ": is also the"
                        + " report's file (-o " + Printable.escape(output) + "); name another");
                return true;
            }
        } catch (InvalidPathException | IOException e) {
            // Opening it says what is wrong with it.
        }
        return false;
    }

    /**
     * Opens FILE for writing, or says why it cannot be and returns null.
     */
    Target open(PrintWriter err) {
        String path = path();
        try {
            return new Target(path, new FileOutputStream(path));
        } catch (FileNotFoundException | SecurityException e) {
            err.println("synscope: --export " + Printable.escape(path) + ": cannot write: "
                    + Printable.escape(String.valueOf(e.getMessage())));
            return null;
        }
    }

    /** An export under way: the file, and the sink that notes what goes into it. */
    static final class Target implements AutoCloseable {
        private final String path;
        private final FileOutputStream file;
        private PacketExport export;
        /** Whether {@link #write} ran: else the file, still empty, goes at {@link #close}. */
        private boolean written;

        private Target(String path, FileOutputStream file) {
            this.path = path;
            this.file = file;
        }

        /**
         * The sink that notes the connections to export: those {@code selection} picks,
         * failures only unless {@code all}.
         */
        AnalysisSink sink(Selection selection, boolean all) {
            export = new PacketExport(all);
            return selection.isAll() ? export : new SelectingSink(export, selection);
        }

        /** Whether the analysis finished (its report is written) and the export can follow. */
        boolean analysed() {
            return export != null && export.analysed() != null;
        }

        /**
         * Writes the packets, read again from {@code again}, and says how many on {@code err}.
         *
         * @param kernelDocument the kernel's evidence to keep in a pcapng export, or null
         * @param quiet          errors only on {@code err}: not the count, not the notes
         * @return the exit code: OK, or IO_ERROR when the file cannot be written
         */
        int write(PacketSource again, String kernelDocument, PrintWriter err, boolean quiet,
                  BooleanSupplier stop) {
            written = true;
            CaptureInfo info = export.analysed();
            List<String> links = info.linkTypes();
            boolean pcapng = path.endsWith(".pcapng") || links.size() > 1;
            if (!path.endsWith(".pcapng") && pcapng && !quiet) {
                err.println("synscope: --export " + Printable.escape(path) + ": the capture has"
                        + " frames of several link types (" + String.join(", ", links) + "),"
                        + " which only pcapng holds: written as pcapng (Wireshark and tshark"
                        + " read it whatever its name)");
            }
            try (CaptureWriter writer = CaptureWriter.create(file, path, pcapng)) {
                PacketExport.Result r = export.write(again, writer, kernelDocument, stop);
                if (quiet) {
                    return ExitCode.OK;
                }
                err.println("synscope: exported " + r.packets() + " packets of "
                        + r.connections() + " connections to " + Printable.escape(path));
                if (kernelDocument != null && !writer.keepsAttachments()) {
                    err.println("synscope: --export " + Printable.escape(path) + " is pcap,"
                            + " which has no place for the kernel's evidence: name it .pcapng"
                            + " to keep it");
                }
                return ExitCode.OK;
            } catch (IOException e) {
                err.println("synscope: --export " + Printable.escape(path) + ": cannot write: "
                        + Printable.escape(String.valueOf(e.getMessage())));
                return ExitCode.IO_ERROR;
            }
        }

        /**
         * Closes the file if {@link #write} did not, and removes it then: an analysis that
         * failed leaves no empty capture behind.
         */
        @Override
        public void close() {
            try {
                file.close();
                if (!written) {
                    Files.deleteIfExists(Path.of(path));
                }
            } catch (IOException | InvalidPathException e) {
                // Nothing was written to it that could be lost.
            }
        }
    }
}
