package io.synscope.lab;

import io.synscope.capture.CaptureException;
import io.synscope.capture.Captures;
import io.synscope.capture.PacketSource;
import io.synscope.pipeline.AnalysisSink;
import io.synscope.pipeline.Analyzer;
import io.synscope.pipeline.CaptureInfo;
import io.synscope.pipeline.KernelDocument;
import io.synscope.diagnose.Alternative;
import io.synscope.diagnose.Confidence;
import io.synscope.diagnose.ConnectionResult;
import io.synscope.diagnose.Outcome;
import io.synscope.diagnose.Summary;
import io.synscope.diagnose.Verdict;
import io.synscope.flow.AnalysisConfig;
import io.synscope.diagnose.HostPort;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * synscope's verdicts for a lab capture next to the ones its truth implies, connection by
 * connection. Connections are matched by their four-tuple: within one run every client port
 * is used once.
 */
public final class Comparison {
    private Comparison() {
    }

    /**
     * What synscope said of one connection: its verdict, outcome, confidence and the reasons of
     * its alternatives.
     */
    public record Said(Verdict verdict, Outcome outcome, Confidence confidence,
                       List<String> alternatives) {
        public Said {
            alternatives = List.copyOf(alternatives);
        }

        static Said of(ConnectionResult r) {
            return new Said(r.verdict(), r.outcome(), r.diagnosis().confidence(),
                    r.diagnosis().alternatives().stream().map(Alternative::reason).toList());
        }

        /** {@code verdict/outcome}, and the confidence when {@code withConfidence}. */
        String text(boolean withConfidence) {
            return verdict.key() + "/" + outcome.key()
                    + (withConfidence ? " " + confidence.key() : "");
        }

        /** A handshake failure named with high confidence: what loss must never be called. */
        public boolean highHandshakeFailure() {
            return confidence == Confidence.HIGH && HANDSHAKE_FAILURES.contains(verdict);
        }
    }

    /** The verdicts that blame the listener or the server's host for a handshake. */
    public static final Set<Verdict> HANDSHAKE_FAILURES = EnumSet.of(Verdict.SYN_DROPPED,
            Verdict.SYNACK_UNANSWERED, Verdict.ACK_IGNORED, Verdict.OVERFLOW_RESET);

    /**
     * One connection: its truth row (null when synscope reported a connection the lab did not
     * make) and what synscope said (empty when it did not report the connection, several when
     * it split one).
     */
    public record Line(HostPort client, HostPort server, Expected.Row row, List<Said> synscope) {
        public String truth() {
            if (row == null) {
                return "—";
            }
            TruthRules.Expectation e = row.expectation();
            String t = e.verdict().key() + "/" + e.outcome().key();
            if (e.constrained()) {
                List<String> allowed = new ArrayList<>();
                for (Confidence c : Confidence.values()) {
                    if (e.confidences().contains(c)) {
                        allowed.add(c.key());
                    }
                }
                t += " " + String.join("|", allowed);
                if (!e.alternativeWords().isEmpty()) {
                    t += " +alt '" + String.join(" ", e.alternativeWords()) + "'";
                }
            }
            return t;
        }

        /** What synscope said, as the truth column puts it (confidence where the truth has one). */
        public String said() {
            boolean withConfidence = row != null && row.expectation().constrained();
            return synscope.isEmpty() ? "(not reported)" : String.join(" + ",
                    synscope.stream().map(s -> s.text(withConfidence)).toList());
        }

        public boolean matches() {
            return row != null && synscope.size() == 1 && row.expectation().admits(synscope.get(0));
        }

        /** The truth says ok, and synscope called it a handshake failure with high confidence. */
        public boolean healthyCalledHighFailure() {
            return row != null && row.expectation().verdict() == Verdict.OK
                    && synscope.stream().anyMatch(Said::highHandshakeFailure);
        }
    }

    /**
     * Analyses {@code capture}; when {@code report} is not null, synscope's text report goes
     * there as {@code synscope analyze} would print it.
     */
    public static List<ConnectionResult> analyze(Path capture, AnalysisSink report)
            throws CaptureException, IOException {
        List<ConnectionResult> results = new ArrayList<>();
        try (PacketSource source = Captures.open(capture.toString())) {
            // As analyze reads it: with the kernel evidence a live -w file recorded.
            new Analyzer(AnalysisConfig.defaults(), 1)
                    .kernel(KernelDocument.fromCapture(capture.toString()))
                    .run(source, new AnalysisSink() {
                @Override
                public boolean wants(Verdict v) {
                    return true;
                }

                @Override
                public void onConnection(ConnectionResult r) throws IOException {
                    results.add(r);
                    if (report != null && report.wants(r.verdict())) {
                        report.onConnection(r);
                    }
                }

                @Override
                public void onFinish(CaptureInfo info, Summary summary) throws IOException {
                    if (report != null) {
                        report.onFinish(info, summary);
                    }
                }
            });
        }
        return results;
    }

    /** Every truth row with synscope's verdicts for it, then connections only synscope saw. */
    public static List<Line> compare(List<Expected.Row> rows, List<ConnectionResult> results) {
        Map<List<HostPort>, List<Said>> said = new LinkedHashMap<>();
        for (ConnectionResult r : results) {
            said.computeIfAbsent(List.of(r.client(), r.server()), k -> new ArrayList<>())
                    .add(Said.of(r));
        }
        return compare(rows, said);
    }

    /**
     * As {@link #compare(List, List)}, with what synscope said (e.g. read back from its JSON)
     * keyed by [client, server]; the map is emptied.
     */
    public static List<Line> compare(List<Expected.Row> rows,
                                     Map<List<HostPort>, List<Said>> said) {
        List<Line> lines = new ArrayList<>();
        for (Expected.Row row : rows) {
            List<Said> s = said.remove(List.of(row.client(), row.server()));
            lines.add(new Line(row.client(), row.server(), row, s == null ? List.of() : s));
        }
        said.forEach((tuple, verdicts) -> lines.add(new Line(tuple.get(0), tuple.get(1), null,
                verdicts)));
        return lines;
    }

    /** Longer tables leave out the lines where truth and synscope agree on ok. */
    static final int FULL_TABLE_LINES = 30;

    /** The side-by-side table; returns how many lines match. */
    public static int print(PrintWriter out, List<Line> lines) {
        List<String[]> rows = new java.util.ArrayList<>();
        rows.add(new String[] {"client", "client saw", "truth (rule)", "synscope", ""});
        int matching = 0;
        int plainLeftOut = 0;
        for (Line l : lines) {
            if (l.matches()) {
                matching++;
                // A long table (lossy-ok) shows what is worth reading: the rest is "ok, agreed".
                if (lines.size() > FULL_TABLE_LINES
                        && l.row().expectation().verdict() == Verdict.OK) {
                    plainLeftOut++;
                    continue;
                }
            }
            String client = l.client().toString();
            String saw = l.row() == null ? "(not made by the lab)" : l.row().saw();
            String truth = l.row() == null ? "—" : l.truth() + " (" + l.row().expectation().rule() + ")";
            rows.add(new String[] {client, saw, truth, l.said(), l.matches() ? "✓" : "✗"});
        }
        // Columns as wide as their widest cell, so long verdicts keep the table aligned.
        int[] width = new int[5];
        for (String[] r : rows) {
            for (int i = 0; i < r.length; i++) {
                width[i] = Math.max(width[i], r[i].length());
            }
        }
        for (String[] r : rows) {
            StringBuilder line = new StringBuilder();
            for (int i = 0; i < r.length - 1; i++) {
                line.append(r[i]).append(" ".repeat(width[i] - r[i].length() + 2));
            }
            out.println(line.append(r[r.length - 1]).toString().stripTrailing());
        }
        if (plainLeftOut > 0) {
            out.println("… and " + plainLeftOut + " more connections whose truth is ok and"
                    + " synscope's too (left out)");
        }
        return matching;
    }

}
