package io.synscope.lab;

import io.synscope.capture.CaptureException;
import io.synscope.capture.Captures;
import io.synscope.capture.PacketSource;
import io.synscope.pipeline.AnalysisSink;
import io.synscope.pipeline.Analyzer;
import io.synscope.pipeline.CaptureInfo;
import io.synscope.diagnose.ConnectionResult;
import io.synscope.diagnose.Summary;
import io.synscope.diagnose.Verdict;
import io.synscope.flow.AnalysisConfig;
import io.synscope.diagnose.HostPort;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * synscope's verdicts for a lab capture next to the ones its truth implies, connection by
 * connection. Connections are matched by their four-tuple: within one run every client port
 * is used once.
 */
public final class Comparison {
    private Comparison() {
    }

    /**
     * One connection: its truth row (null when synscope reported a connection the lab did not
     * make) and what synscope said (empty when it did not report the connection, several when
     * it split one).
     */
    public record Line(HostPort client, HostPort server, Expected.Row row, List<String> synscope) {
        public String truth() {
            return row == null ? "—" : row.expectation().verdict().key() + "/"
                    + row.expectation().outcome().key();
        }

        public boolean matches() {
            return row != null && synscope.size() == 1 && synscope.get(0).equals(truth());
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
            new Analyzer(AnalysisConfig.defaults(), 1).run(source, new AnalysisSink() {
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
        Map<List<HostPort>, List<String>> said = new LinkedHashMap<>();
        for (ConnectionResult r : results) {
            said.computeIfAbsent(List.of(r.client(), r.server()), k -> new ArrayList<>())
                    .add(r.verdict().key() + "/" + r.outcome().key());
        }
        return compare(rows, said);
    }

    /**
     * As {@link #compare(List, List)}, with what synscope said (e.g. read back from its JSON)
     * keyed by [client, server], each as {@code verdict/outcome}; the map is emptied.
     */
    public static List<Line> compare(List<Expected.Row> rows,
                                     Map<List<HostPort>, List<String>> said) {
        List<Line> lines = new ArrayList<>();
        for (Expected.Row row : rows) {
            List<String> s = said.remove(List.of(row.client(), row.server()));
            lines.add(new Line(row.client(), row.server(), row, s == null ? List.of() : s));
        }
        said.forEach((tuple, verdicts) -> lines.add(new Line(tuple.get(0), tuple.get(1), null,
                verdicts)));
        return lines;
    }

    /** The side-by-side table; returns how many lines match. */
    public static int print(PrintWriter out, List<Line> lines) {
        List<String[]> rows = new java.util.ArrayList<>();
        rows.add(new String[] {"client", "client saw", "truth (rule)", "synscope", ""});
        int matching = 0;
        for (Line l : lines) {
            String client = l.client().toString();
            String saw = l.row() == null ? "(not made by the lab)" : l.row().saw();
            String truth = l.row() == null ? "—" : l.truth() + " (" + l.row().expectation().rule() + ")";
            String synscope = l.synscope().isEmpty() ? "(not reported)" : String.join(" + ", l.synscope());
            rows.add(new String[] {client, saw, truth, synscope, l.matches() ? "✓" : "✗"});
            if (l.matches()) {
                matching++;
            }
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
        return matching;
    }

}
