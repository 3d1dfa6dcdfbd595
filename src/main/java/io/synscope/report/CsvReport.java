package io.synscope.report;

import io.synscope.diagnose.ConnectionResult;
import io.synscope.diagnose.Diagnosis;
import io.synscope.diagnose.Outcome;
import io.synscope.diagnose.Summary;
import io.synscope.diagnose.Verdict;
import io.synscope.pipeline.AnalysisSink;
import io.synscope.pipeline.CaptureInfo;
import org.apache.commons.csv.CSVFormat;
import org.apache.commons.csv.CSVPrinter;

import java.io.IOException;
import java.io.Writer;

/**
 * One CSV row per connection (columns: docs/csv.md), written as connections are decided, like
 * {@link JsonReport}: Zeek conn.log's names for what both have, synscope's verdict fields after,
 * and a Wireshark filter last. RFC 4180 quoting by Commons CSV, lines ending in LF.
 */
public final class CsvReport implements AnalysisSink {
    /** The header, in column order; {@link #onConnection} writes the cells in the same order. */
    public static final String[] COLUMNS = {
        "id", "ts", "id.orig_h", "id.orig_p", "id.resp_h", "id.resp_p", "ip_version",
        "duration", "orig_pkts", "resp_pkts", "orig_bytes", "resp_bytes", "orig_retrans",
        "resp_retrans", "history", "verdict", "outcome", "recovery_delay_ms", "confidence",
        "rule", "reset_by", "first_seen", "last_seen", "first_frame", "last_frame", "roles_from",
        "decided_by", "cause", "wireshark_filter",
    };
    /**
     * First characters that make a spreadsheet read a cell as a formula (CSV injection), and
     * the tab and carriage return some spreadsheets strip before looking.
     */
    private static final String FORMULA_STARTS = "=+-@\t\r";

    private final CSVPrinter out;
    private final boolean all;
    private final boolean flushEachRow;

    /**
     * @param all          every connection, not only those with a failure verdict
     * @param flushEachRow rows reach {@code out} as they are decided (live), not in buffer-fulls
     */
    public CsvReport(Writer out, boolean all, boolean flushEachRow) throws IOException {
        this.out = CSVFormat.DEFAULT.builder().setRecordSeparator('\n').setHeader(COLUMNS)
                .get().print(out);
        this.all = all;
        this.flushEachRow = flushEachRow;
    }

    @Override
    public boolean wants(Verdict v) {
        return all || v.isFailure();
    }

    @Override
    public void onConnection(ConnectionResult r) throws IOException {
        Diagnosis d = r.diagnosis();
        out.printRecord(r.id(), Format.seconds(r.firstSeenNanos()), r.client().ip(),
                r.client().port(), r.server().ip(), r.server().port(), r.ipVersion(),
                Format.seconds(r.lastSeenNanos() - r.firstSeenNanos()),
                r.fromClient().packets(), r.fromServer().packets(),
                r.fromClient().payloadBytes(), r.fromServer().payloadBytes(),
                r.fromClient().retransmissions(), r.fromServer().retransmissions(),
                text(r.history()), d.verdict().key(), d.outcome().key(),
                d.outcome() == Outcome.RECOVERED ? Format.millis(d.recoveryDelayNanos()) : "",
                d.confidence().key(), d.rule().key(),
                d.resetBy() != null ? d.resetBy().key() : "",
                Format.iso(r.firstSeenNanos()), Format.iso(r.lastSeenNanos()),
                r.firstFrame(), r.lastFrame(), r.roleBasis().key(), r.decidedBy().key(),
                text(r.explanation().cause()), text(WiresharkFilter.of(r)));
        if (flushEachRow) {
            out.flush();
        }
    }

    /**
     * A text cell, with a leading apostrophe when it would start like a formula: spreadsheets
     * show it as text and hide the apostrophe. Numbers never pass here, so a negative one stays
     * a number.
     */
    static String text(String cell) {
        return !cell.isEmpty() && FORMULA_STARTS.indexOf(cell.charAt(0)) >= 0 ? "'" + cell : cell;
    }

    @Override
    public void onFinish(CaptureInfo capture, Summary summary) throws IOException {
        out.flush();
    }
}
