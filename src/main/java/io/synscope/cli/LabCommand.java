package io.synscope.cli;

import io.synscope.capture.CaptureException;
import io.synscope.lab.Comparison;
import io.synscope.lab.Demo;
import io.synscope.lab.Lab;
import io.synscope.lab.LabException;
import io.synscope.lab.LabMode;
import io.synscope.report.TextReport;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;

/**
 * {@code synscope lab}: makes real captures of TCP failure modes in two network namespaces,
 * with ground truth from the programs that made them, and checks synscope against that truth.
 */
@Command(name = "lab", mixinStandardHelpOptions = true, versionProvider = Main.Version.class,
        description = {"Makes a real capture of a TCP failure mode (Linux, root): two network"
                + " namespaces joined by a veth pair, a Java server and Java clients, tcpdump.",
                "Writes DIR/MODE.pcap and DIR/MODE.expected.json (each connection's verdict from"
                        + " what the client and the kernel saw), prints synscope's report of the"
                        + " capture and, per connection, the truth next to synscope's verdict.",
                "Needs ip, tc, nstat (iproute2) and tcpdump."},
        exitCodeListHeading = "%nExit codes:%n",
        exitCodeList = {
                "0:every connection's verdict matches the truth",
                "1:internal error (a bug: please report it)",
                "2:bad command line",
                "8:I/O error while writing",
                "10:synscope's verdict differs from the truth for some connection",
                "11:not Linux",
                "12:not root",
                "13:a program the lab needs is missing (the message names its package)",
                "14:cannot create network namespaces",
                "15:a lab run failed (a command, a capture or a lab program)",
                "130:interrupted (Ctrl-C); the namespaces are removed"})
final class LabCommand implements Callable<Integer> {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Parameters(index = "0", arity = "0..1", paramLabel = "MODE", description = "the mode to run (--list)")
    String modeName;

    @Option(names = "--list", description = "list the modes, one line each")
    boolean list;

    @Option(names = "--all", description = "run every mode (and write demo.pcap); needs -o")
    boolean all;

    @Option(names = {"-o", "--output-dir"}, paramLabel = "DIR",
            description = "where captures go (default for one mode: a new temporary directory)")
    Path dir;

    @Option(names = "--variants", description = "also the modes' variant captures: client side,"
            + " tcpdump -i any (cooked v1/v2), pcapng (needs dumpcap/editcap from wireshark-common)")
    boolean variants;

    @Option(names = "--retries", defaultValue = "0", paramLabel = "N",
            description = "run a mode again, up to N times, when its truth does not show the"
                    + " failures the mode is meant to show (bursts are races; default ${DEFAULT-VALUE})")
    int retries;

    @Option(names = "--max-ladders", defaultValue = "3", paramLabel = "N",
            description = "ladders in synscope's report of each capture (default ${DEFAULT-VALUE})")
    int maxLadders;

    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
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
                Lab.Run run = lab.run(m, outDir);
                for (int attempt = 1; attempt <= retries && !run.intendedShown(); attempt++) {
                    err.println("lab " + m.name() + ": the truth shows " + run.shown()
                            + ", not the intended " + m.intended() + "; running it again");
                    run = lab.run(m, outDir);
                }
                runs.put(m.name(), run);
                if (!report(out, run)) {
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
    private boolean report(PrintWriter out, Lab.Run run) throws IOException, CaptureException {
        out.println();
        out.println("=== " + run.mode().name() + ": " + run.mode().summary());
        boolean color = System.console() != null && System.getenv("NO_COLOR") == null;
        TextReport text = new TextReport(out, color, maxLadders, Main.version());
        List<Comparison.Line> lines = Comparison.compare(run.rows(),
                Comparison.analyze(run.capture(), text));
        out.println();
        out.println("Truth and synscope, per connection");
        int matching = Comparison.print(out, lines);
        boolean variantsMatch = true;
        for (Path v : run.variantCaptures()) {
            List<Comparison.Line> vl = Comparison.compare(run.rows(), Comparison.analyze(v, null));
            long ok = vl.stream().filter(Comparison.Line::matches).count();
            out.println("variant " + v.getFileName() + ": " + ok + " of " + vl.size()
                    + " connections match");
            variantsMatch &= ok == vl.size();
        }
        out.println(run.mode().name() + ": " + (matching == lines.size()
                ? (lines.size() == 1 ? "the connection matches" : "all " + lines.size()
                + " connections match")
                : (lines.size() - matching) + " of " + lines.size() + " connections differ") + "; the truth shows " + run.shown()
                + (run.intendedShown() ? " (as intended)" : " (intended: " + run.mode().intended() + ")"));
        out.println("files: " + run.capture() + " and " + run.mode().name() + ".expected.json");
        out.flush();
        return matching == lines.size() && variantsMatch;
    }
}
