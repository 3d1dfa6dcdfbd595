package io.synscope.report;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.io.SerializedString;
import io.synscope.capture.CapturePart;
import io.synscope.capture.CaptureStats;
import io.synscope.capture.Printable;
import io.synscope.diagnose.Alternative;
import io.synscope.diagnose.ConnectionResult;
import io.synscope.diagnose.Diagnosis;
import io.synscope.diagnose.Evidence;
import io.synscope.diagnose.Failure;
import io.synscope.diagnose.KernelEvidence;
import io.synscope.diagnose.HostPort;
import io.synscope.diagnose.Outcome;
import io.synscope.diagnose.Summary;
import io.synscope.diagnose.Verdict;
import io.synscope.pipeline.CaptureInfo;
import io.synscope.pipeline.KernelSummary;

import java.io.IOException;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The JSON contract's objects (docs/json-schema.md), written to one generator: a connection's
 * fields, the {@code capture} and {@code summary} objects. {@link JsonReport} and
 * {@link NdjsonReport} both write through it, so the two formats cannot drift apart.
 */
final class JsonWriter {
    final JsonGenerator g;
    /** Encoded {@link #constantField} values: some dozens of fixed texts. */
    private final Map<String, SerializedString> constants = new HashMap<>();
    /** Text of one timestamp or number on its way to the generator; filled and written in one call. */
    private final char[] scratch = new char[Math.max(Format.ISO_MAX_CHARS, Format.MILLIS_MAX_CHARS)];

    JsonWriter(JsonGenerator g) {
        this.g = g;
    }

    /**
     * The fields of one connection, inside an object the caller opened: {@code analyze}'s
     * {@code connections} entries and ndjson's {@code connection} records are the same fields.
     */
    void connectionFields(ConnectionResult r) throws IOException {
        Diagnosis d = r.diagnosis();
        g.writeNumberField("id", r.id());
        hostPort("client", r.client());
        hostPort("server", r.server());
        g.writeNumberField("ip_version", r.ipVersion());
        constantField("verdict", d.verdict().key());
        constantField("outcome", d.outcome().key());
        if (d.outcome() == Outcome.RECOVERED) {
            millisField("recovery_delay_ms", d.recoveryDelayNanos());
        } else {
            g.writeNullField("recovery_delay_ms");
        }
        if (d.resetBy() != null) {
            constantField("reset_by", d.resetBy().key());
        } else {
            g.writeNullField("reset_by");
        }
        constantField("confidence", d.confidence().key());
        constantField("rule", d.rule().key());
        isoField("first_seen", r.firstSeenNanos());
        isoField("last_seen", r.lastSeenNanos());
        g.writeNumberField("first_frame", r.firstFrame());
        g.writeNumberField("last_frame", r.lastFrame());
        millisField("duration_ms", r.lastSeenNanos() - r.firstSeenNanos());
        g.writeStringField("history", r.history());
        constantField("roles_from", r.roleBasis().key());
        constantField("decided_by", r.decidedBy().key());
        g.writeObjectFieldStart("packets");
        g.writeNumberField("client", r.fromClient().packets());
        g.writeNumberField("server", r.fromServer().packets());
        g.writeEndObject();
        g.writeObjectFieldStart("payload_bytes");
        g.writeNumberField("client", r.fromClient().payloadBytes());
        g.writeNumberField("server", r.fromServer().payloadBytes());
        g.writeEndObject();
        g.writeObjectFieldStart("retransmissions");
        g.writeNumberField("client", r.fromClient().retransmissions());
        g.writeNumberField("server", r.fromServer().retransmissions());
        g.writeEndObject();
        evidence(d.evidence(), r.firstSeenNanos());
        g.writeArrayFieldStart("also");
        for (Failure f : d.also()) {
            g.writeStartObject();
            constantField("verdict", f.verdict().key());
            constantField("rule", f.rule().key());
            constantField("confidence", f.confidence().key());
            isoField("time", f.atNanos());
            millisField("offset_ms", f.atNanos() - r.firstSeenNanos());
            evidence(f.evidence(), r.firstSeenNanos());
            g.writeEndObject();
        }
        g.writeEndArray();
        g.writeArrayFieldStart("kernel");
        for (KernelEvidence k : d.kernel()) {
            g.writeStartObject();
            g.writeStringField("event", k.event());
            g.writeStringField("reason", k.reason());
            isoField("time", k.tsNanos());
            millisField("offset_ms", k.tsNanos() - r.firstSeenNanos());
            g.writeStringField("note", k.note());
            g.writeEndObject();
        }
        g.writeEndArray();
        g.writeArrayFieldStart("alternatives");
        for (Alternative a : d.alternatives()) {
            g.writeStartObject();
            g.writeStringField("verdict", a.verdict().key());
            g.writeStringField("reason", a.reason());
            g.writeEndObject();
        }
        g.writeEndArray();
        g.writeArrayFieldStart("notes");
        for (String n : d.notes()) {
            g.writeString(n);
        }
        g.writeEndArray();
        if (!r.explanation().cause().isEmpty()) {
            constantField("cause", r.explanation().cause());
            constantField("remedy", r.explanation().remedy());
        }
        g.writeStringField("wireshark_filter", WiresharkFilter.of(r));
    }

    /** An {@code evidence} array, each item's offset counted from {@code firstSeenNanos}. */
    private void evidence(List<Evidence> evidence, long firstSeenNanos) throws IOException {
        g.writeArrayFieldStart("evidence");
        for (Evidence e : evidence) {
            g.writeStartObject();
            g.writeNumberField("frame", e.frame());
            isoField("time", e.tsNanos());
            millisField("offset_ms", e.tsNanos() - firstSeenNanos);
            g.writeStringField("note", e.note());
            g.writeEndObject();
        }
        g.writeEndArray();
    }

    void capture(CaptureInfo c) throws IOException {
        g.writeObjectFieldStart("capture");
        g.writeFieldName("file");
        externalString(c.name());
        files(c.files());
        g.writeStringField("format", c.format());
        g.writeNumberField("packets", c.frames());
        g.writeNumberField("tcp_segments", c.tcpSegments());
        g.writeObjectFieldStart("skipped");
        for (Map.Entry<String, Long> e : c.skipped().entrySet()) {
            g.writeNumberField(e.getKey(), e.getValue());
        }
        g.writeEndObject();
        if (c.frames() > 0) {
            g.writeStringField("first_time", Format.iso(c.firstTsNanos()));
            g.writeStringField("last_time", Format.iso(c.lastTsNanos()));
        } else {
            g.writeNullField("first_time");
            g.writeNullField("last_time");
        }
        stringArray("link_types", c.linkTypes());
        externalStringArray("warnings", c.warnings());
        externalStringArray("malformed", c.decodeProblems());
        g.writeNumberField("connections", c.connections());
        g.writeNumberField("peak_open_connections", c.peakOpenConnections());
        g.writeNumberField("late_packets", c.latePackets());
        g.writeNumberField("duplicate_packets", c.duplicatePackets());
        dropsFields(c.stats());
        g.writeEndObject();
    }

    /** {@code files}: each file read, in time order, and which merged frames it holds. */
    private void files(List<CapturePart> files) throws IOException {
        g.writeArrayFieldStart("files");
        for (CapturePart f : files) {
            g.writeStartObject();
            g.writeFieldName("file");
            externalString(f.name());
            g.writeStringField("format", f.format());
            g.writeNumberField("packets", f.frames());
            if (f.frames() > 0) {
                g.writeNumberField("first_frame", f.firstFrame());
                g.writeNumberField("last_frame", f.lastFrame());
                g.writeStringField("first_time", Format.iso(f.firstTsNanos()));
                g.writeStringField("last_time", Format.iso(f.lastTsNanos()));
            } else {
                g.writeNullField("first_frame");
                g.writeNullField("last_frame");
                g.writeNullField("first_time");
                g.writeNullField("last_time");
            }
            g.writeEndObject();
        }
        g.writeEndArray();
    }

    /**
     * {@code kernel_drops} and {@code interface_drops}: libpcap's {@code ps_drop} and
     * {@code ps_ifdrop} for a live capture, a pcapng statistics block's osdrop and ifdrop for a
     * file; null when the source does not tell (a pcap file).
     */
    void dropsFields(CaptureStats stats) throws IOException {
        if (stats != null) {
            g.writeNumberField("kernel_drops", stats.kernelDrops());
            g.writeNumberField("interface_drops", stats.interfaceDrops());
        } else {
            g.writeNullField("kernel_drops");
            g.writeNullField("interface_drops");
        }
    }

    /**
     * {@code listeners} (the kernel's listen queues, busiest first; empty without kernel
     * evidence) and {@code kernel} (its sources, sysctls and counter rises; null without).
     */
    void kernel(KernelSummary k) throws IOException {
        g.writeArrayFieldStart("listeners");
        if (k != null) {
            for (KernelSummary.Listener l : k.listeners()) {
                g.writeStartObject();
                g.writeStringField("ip", l.listener().ip());
                g.writeNumberField("port", l.listener().port());
                g.writeNumberField("backlog", l.backlog());
                g.writeObjectFieldStart("accept_queue");
                g.writeNumberField("peak", l.peakDepth());
                millisField("full_ms", l.fullNanos());
                g.writeArrayFieldStart("full_intervals");
                for (KernelSummary.Interval i : l.fullIntervals()) {
                    g.writeStartObject();
                    isoField("from", i.fromNanos());
                    isoField("to", i.toNanos());
                    millisField("ms", i.nanos());
                    g.writeEndObject();
                }
                g.writeEndArray();
                g.writeEndObject();
                g.writeNumberField("syn_recv_peak", l.synRecvPeak());
                g.writeNumberField("syn_queue_limit", l.synQueueLimit());
                g.writeStringField("limited_by", l.limitedBy());
                g.writeEndObject();
            }
        }
        g.writeEndArray();
        if (k == null) {
            g.writeNullField("kernel");
            return;
        }
        g.writeObjectFieldStart("kernel");
        stringArray("sources", k.sources());
        g.writeObjectFieldStart("missing");
        for (Map.Entry<String, String> e : k.missing().entrySet()) {
            g.writeFieldName(e.getKey());
            externalString(e.getValue());
        }
        g.writeEndObject();
        longs("sysctls", k.sysctls());
        longs("counters", k.counters());
        g.writeNumberField("quiet_listeners", k.quietListeners());
        g.writeNumberField("dropped", k.dropped());
        g.writeEndObject();
    }

    private void longs(String field, Map<String, Long> values) throws IOException {
        g.writeObjectFieldStart(field);
        for (Map.Entry<String, Long> e : values.entrySet()) {
            g.writeNumberField(e.getKey(), e.getValue());
        }
        g.writeEndObject();
    }

    void summary(Summary s) throws IOException {
        g.writeObjectFieldStart("summary");
        g.writeNumberField("connections", s.connections());
        g.writeNumberField("failures", s.failures());
        g.writeNumberField("one_direction", s.oneDirection());
        g.writeObjectFieldStart("verdicts");
        for (Map.Entry<Verdict, Long> e : s.byVerdict().entrySet()) {
            g.writeNumberField(e.getKey().key(), e.getValue());
        }
        g.writeEndObject();
        g.writeObjectFieldStart("outcomes");
        for (Map.Entry<Outcome, Long> e : s.byOutcome().entrySet()) {
            g.writeNumberField(e.getKey().key(), e.getValue());
        }
        g.writeEndObject();
        g.writeArrayFieldStart("servers");
        for (Summary.ServerSummary srv : s.servers()) {
            g.writeStartObject();
            hostPort("server", srv.server());
            g.writeNumberField("connections", srv.connections());
            g.writeNumberField("failures", srv.failures());
            g.writeNumberField("failure_rate", Math.round(srv.failureRate() * 10000) / 10000.0);
            g.writeObjectFieldStart("verdicts");
            for (Map.Entry<Verdict, Long> e : srv.byVerdict().entrySet()) {
                g.writeNumberField(e.getKey().key(), e.getValue());
            }
            g.writeEndObject();
            g.writeEndObject();
        }
        g.writeEndArray();
        g.writeArrayFieldStart("listener_findings");
        for (Summary.ListenerFinding f : s.listenerFindings()) {
            g.writeStartObject();
            hostPort("server", f.server());
            g.writeStringField("rule", f.rule());
            g.writeStringField("finding", f.finding());
            g.writeStringField("remedy", f.remedy());
            g.writeEndObject();
        }
        g.writeEndArray();
        g.writeArrayFieldStart("failures_per_second");
        for (Map.Entry<Long, Long> e : s.failuresPerSecond().entrySet()) {
            g.writeStartObject();
            g.writeStringField("second", Format.iso(e.getKey() * 1_000_000_000L));
            g.writeNumberField("failures", e.getValue());
            g.writeEndObject();
        }
        g.writeEndArray();
        g.writeObjectFieldStart("recovery_delays_ms");
        for (Map.Entry<Verdict, Summary.DelayStats> e : s.recoveryDelays().entrySet()) {
            g.writeObjectFieldStart(e.getKey().key());
            g.writeNumberField("count", e.getValue().count());
            g.writeNumberField("min", Format.millis(e.getValue().minNanos()));
            g.writeNumberField("mean", Format.millis(e.getValue().meanNanos()));
            g.writeNumberField("max", Format.millis(e.getValue().maxNanos()));
            g.writeEndObject();
        }
        g.writeEndObject();
        g.writeEndObject();
    }

    /**
     * A string field whose value is one of a few fixed texts (a verdict's key, a rule, an
     * explanation): encoded and escaped once, then copied; a cause and its remedy alone are a
     * fifth of a failure's JSON.
     */
    private void constantField(String field, String value) throws IOException {
        SerializedString encoded = constants.get(value);
        if (encoded == null) {
            encoded = new SerializedString(value);
            constants.put(value, encoded);
        }
        g.writeFieldName(field);
        g.writeString(encoded);
    }

    /** {@code Format.iso(epochNanos)} without making a String of it. */
    private void isoField(String field, long epochNanos) throws IOException {
        g.writeFieldName(field);
        g.writeString(scratch, 0, Format.iso(epochNanos, scratch));
    }

    /** {@code Format.millis(nanos)} written as Jackson writes that double, more cheaply. */
    private void millisField(String field, long nanos) throws IOException {
        int length = Format.millis(nanos, scratch);
        if (length < 0) {
            g.writeNumberField(field, Format.millis(nanos));
        } else {
            g.writeFieldName(field);
            g.writeNumber(scratch, 0, length);
        }
    }

    private void hostPort(String field, HostPort hp) throws IOException {
        g.writeObjectFieldStart(field);
        g.writeStringField("ip", hp.ip());
        g.writeNumberField("port", hp.port());
        g.writeEndObject();
    }

    private void externalStringArray(String field, Iterable<String> values) throws IOException {
        g.writeArrayFieldStart(field);
        for (String v : values) {
            externalString(v);
        }
        g.writeEndArray();
    }

    /**
     * A string that came from the input (a file name, a warning that quotes one): escaped as JSON
     * requires, and also, as backslash-u escapes, what a terminal would act on or hide
     * ({@link Printable#needsEscape}: DEL, C1 controls, direction overrides), which JSON allows
     * raw. A JSON reader gets the same value; {@code cat}, {@code less} or a log viewer showing
     * the document get nothing to act on.
     */
    private void externalString(String v) throws IOException {
        // escape returns its argument itself when nothing needs escaping: the common case.
        if (Printable.escape(v) == v) {
            g.writeString(v);
            return;
        }
        StringBuilder json = new StringBuilder(v.length() + 16).append('"');
        for (int i = 0; i < v.length(); i++) {
            char c = v.charAt(i);
            if (c == '"' || c == '\\') {
                json.append('\\').append(c);
            } else if (c < 0x20 || Printable.needsEscape(c)) {
                json.append(String.format("\\u%04x", (int) c));
            } else {
                json.append(c);
            }
        }
        g.writeRawValue(json.append('"').toString());
    }

    private void stringArray(String field, Iterable<String> values) throws IOException {
        g.writeArrayFieldStart(field);
        for (String v : values) {
            g.writeString(v);
        }
        g.writeEndArray();
    }
}
