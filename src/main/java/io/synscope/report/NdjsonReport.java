package io.synscope.report;

import com.fasterxml.jackson.core.JsonEncoding;
import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import io.synscope.diagnose.ConnectionResult;
import io.synscope.diagnose.Summary;
import io.synscope.diagnose.Verdict;
import io.synscope.pipeline.AnalysisSink;
import io.synscope.pipeline.CaptureInfo;
import io.synscope.pipeline.LiveStatus;

import java.io.IOException;
import java.io.OutputStream;
import java.io.Writer;
import java.util.Map;

/**
 * Newline-delimited JSON for log pipelines ({@code jq}, Fluent Bit, Vector): one object per line,
 * each written and flushed the moment it is known (schema: docs/ndjson.md).
 * <ul>
 *   <li>{@code {"type":"connection", …}}: the fields of an {@code analyze --format json}
 *       {@code connections} entry, per decided connection (failures, or all with {@code --all});
 *   <li>{@code {"type":"status", …}}: every status interval;
 *   <li>{@code {"type":"end", "capture":{…}, "summary":{…}}}: last, with the
 *       {@code capture} and {@code summary} objects of {@code analyze --format json}.
 * </ul>
 */
public final class NdjsonReport implements AnalysisSink {
    private final JsonGenerator g;
    private final JsonWriter w;
    private final boolean all;
    private final String version;
    private long failuresSinceStatus;
    /** The kernel counters as the previous status saw them. */
    private Map<String, Long> countersAtLastStatus = Map.of();
    private long failures;

    /** In UTF-8 to a byte stream (a file). */
    public NdjsonReport(OutputStream out, boolean all, String version) throws IOException {
        this(new JsonFactory().createGenerator(out, JsonEncoding.UTF8), all, version);
    }

    /** To a character stream (the command line's output). */
    public NdjsonReport(Writer out, boolean all, String version) throws IOException {
        this(new JsonFactory().createGenerator(out), all, version);
    }

    private NdjsonReport(JsonGenerator g, boolean all, String version) {
        this.g = g;
        // Each record ends its own line (endLine); Jackson would put a space between them.
        g.setRootValueSeparator(null);
        this.w = new JsonWriter(g);
        this.all = all;
        this.version = version;
    }

    @Override
    public boolean wants(Verdict v) {
        return all || v.isFailure();
    }

    @Override
    public void onConnection(ConnectionResult r) throws IOException {
        if (r.verdict().isFailure()) {
            failures++;
            failuresSinceStatus++;
        }
        g.writeStartObject();
        g.writeStringField("type", "connection");
        w.connectionFields(r);
        g.writeEndObject();
        endLine();
    }

    @Override
    public void onStatus(LiveStatus s) throws IOException {
        g.writeStartObject();
        g.writeStringField("type", "status");
        g.writeStringField("time", Format.iso(s.timeNanos()));
        g.writeNumberField("packets", s.frames());
        g.writeNumberField("tcp_segments", s.tcpSegments());
        g.writeNumberField("packets_per_second", Math.round(s.framesPerSecond()));
        g.writeNumberField("open_connections", s.openConnections());
        g.writeNumberField("connections", s.connectionsSeen());
        g.writeNumberField("failures", failures);
        g.writeNumberField("failures_since_last_status", failuresSinceStatus);
        w.dropsFields(s.stats());
        g.writeObjectFieldStart("kernel_counters");
        for (Map.Entry<String, Long> e : s.kernelCounters().entrySet()) {
            long since = e.getValue() - countersAtLastStatus.getOrDefault(e.getKey(), 0L);
            if (since != 0) {
                g.writeNumberField(e.getKey(), since);
            }
        }
        g.writeEndObject();
        g.writeEndObject();
        endLine();
        failuresSinceStatus = 0;
        countersAtLastStatus = s.kernelCounters();
    }

    @Override
    public void onFinish(CaptureInfo capture, Summary summary) throws IOException {
        g.writeStartObject();
        g.writeStringField("type", "end");
        g.writeNumberField("schema_version", JsonReport.SCHEMA_VERSION);
        g.writeStringField("synscope_version", version);
        w.capture(capture);
        w.summary(summary);
        w.kernel(capture.kernel());
        g.writeEndObject();
        endLine();
    }

    /** Ends the record's line and hands it on at once: a pipeline reads records as they come. */
    private void endLine() throws IOException {
        g.writeRaw('\n');
        g.flush();
    }
}
