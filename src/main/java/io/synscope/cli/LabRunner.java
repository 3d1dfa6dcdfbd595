package io.synscope.cli;

import io.synscope.capture.CaptureException;
import io.synscope.lab.Comparison;
import io.synscope.lab.Demo;
import io.synscope.lab.Lab;
import io.synscope.lab.LabException;
import io.synscope.lab.LabMode;
import io.synscope.report.TextReport;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** What {@code synscope lab} does once {@link LabCommand} has read its command line. */
final class LabRunner {
    private final PrintWriter out;
    private final PrintWriter err;
    private final int maxLadders;

    LabRunner(PrintWriter out, PrintWriter err, int maxLadders) {
        this.out = out;
        this.err = err;
        this.maxLadders = maxLadders;
    }

    /** Runs MODE (or --all of them, or --list's them); returns the exit code. */
    int run(String modeName, boolean list, boolean all, Path dir, boolean variants, int retries) {
        if (list) {
            for (LabMode m : LabMode.ALL) {
                out.printf("%-26s %s%n", m.name(), m.summary());
            }
            out.flush();
            return ExitCode.OK;
        }
        if ((modeName == null) == !all || retries < 0 || maxLadders < 0) {
            err.println("synscope lab: give one MODE, --all -o DIR or --list (synscope lab --help)");
            return ExitCode.USAGE;
        }
        if (all && dir == null) {
            err.println("synscope lab: --all needs -o DIR");
            return ExitCode.USAGE;
        }
        List<LabMode> modes = new ArrayList<>();
        if (all) {
            modes.addAll(LabMode.ALL);
        } else {
            LabMode m = LabMode.byName(modeName).orElse(null);
            if (m == null) {
                err.println("synscope lab: no mode " + modeName + " (synscope lab --list)");
                return ExitCode.USAGE;
            }
            modes.add(m);
        }
        try (Lab lab = Lab.open(variants, err)) {
            Path outDir = dir != null ? dir : Files.createTempDirectory("synscope-lab-");
            if (dir == null) {
                out.println("captures go to " + outDir);
            }
            Map<String, Lab.Run> runs = new LinkedHashMap<>();
            int mismatched = 0;
            for (LabMode m : modes) {
                Lab.Run run = lab.runShowing(m, outDir, retries + 1);
                runs.put(m.name(), run);
                if (!report(run)) {
                    mismatched++;
                }
            }
            if (all) {
                out.println("wrote " + Demo.write(outDir, runs) + " (" + String.join(", ", Demo.PARTS)
                        + " merged)");
            }
            if (modes.size() > 1) {
                out.println(mismatched == 0 ? "all " + modes.size() + " modes: synscope matches the truth"
                        : mismatched + " of " + modes.size() + " modes: synscope differs from the truth");
            }
            out.flush();
            return mismatched == 0 ? ExitCode.OK : ExitCode.LAB_MISMATCH;
        } catch (LabException e) {
            err.println("synscope lab: " + e.getMessage());
            return switch (e.kind()) {
                case NOT_LINUX -> ExitCode.LAB_NOT_LINUX;
                case NOT_ROOT -> ExitCode.LAB_NOT_ROOT;
                case TOOL_MISSING -> ExitCode.LAB_TOOL_MISSING;
                case NAMESPACE -> ExitCode.LAB_NAMESPACE;
                case RUN_FAILED -> ExitCode.LAB_RUN_FAILED;
            };
        } catch (CaptureException e) {
            err.println("synscope lab: cannot read the lab's capture: " + e.describe());
            return ExitCode.LAB_RUN_FAILED;
        } catch (IOException e) {
            err.println("synscope lab: I/O error: " + e.getMessage());
            return ExitCode.IO_ERROR;
        }
    }

    /** synscope's report of the run's capture, then the table; whether every line matches. */
    private boolean report(Lab.Run run) throws IOException, CaptureException {
        out.println();
        out.println("=== " + run.mode().name() + ": " + run.mode().summary());
        TextReport text = new TextReport(out, Main.terminalWantsColor(), maxLadders, Main.version());
        List<Comparison.Line> lines = Comparison.compare(run.rows(),
                Comparison.analyze(run.capture(), text));
        boolean relayed = run.mode().relay() != null;
        out.println();
        out.println("Truth and synscope, per connection" + (relayed ? " (server side)" : ""));
        int matching = Comparison.print(out, lines);
        boolean variantsMatch = true;
        for (Lab.Capture v : run.variantCaptures()) {
            List<Comparison.Line> vl = Comparison.compare(v.rows(), Comparison.analyze(v.file(), null));
            if (relayed && v.side() == LabMode.Side.CLIENT) {
                // Where the relay dropped a frame decides what each side saw: both tables.
                out.println();
                out.println("Truth and synscope, per connection (client side, "
                        + v.file().getFileName() + ")");
                Comparison.print(out, vl);
            }
            long ok = vl.stream().filter(Comparison.Line::matches).count();
            out.println("variant " + v.file().getFileName() + ": " + ok + " of " + vl.size()
                    + " connections match");
            variantsMatch &= ok == vl.size();
        }
        if (relayed) {
            out.println("relay: " + run.relaySummary());
        }
        out.println(run.mode().name() + ": " + (matching == lines.size()
                ? (lines.size() == 1 ? "the connection matches" : "all " + lines.size()
                + " connections match")
                : (lines.size() - matching) + " of " + lines.size() + " connections differ") + "; the truth shows " + run.shown()
                + (run.intendedShown() ? " (as intended)" : " (intended: " + run.mode().intended() + ")"));
        out.println("files: " + run.capture() + " and " + run.mode().name() + ".expected.json"
                + (relayed ? ", " + run.mode().name() + ".relay.jsonl (what the relay dropped)"
                : ""));
        out.flush();
        return matching == lines.size() && variantsMatch;
    }
}
