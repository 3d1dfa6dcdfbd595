package io.synscope.report;

import com.fasterxml.jackson.core.JsonEncoding;
import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import io.synscope.diagnose.ConnectionResult;
import io.synscope.diagnose.Summary;
import io.synscope.diagnose.Verdict;
import io.synscope.pipeline.AnalysisSink;
import io.synscope.pipeline.CaptureInfo;

import java.io.IOException;
import java.io.OutputStream;
import java.io.Writer;

/**
 * One JSON document (schema: docs/json-schema.md). Connections are written as they are decided,
 * so the document streams and memory does not grow with the number of connections; that is why
 * {@code connections} comes before {@code capture} and {@code summary}, which are only known at
 * the end. Each connection carries its {@code id} (start order) for sorting.
 */
public final class JsonReport implements AnalysisSink {
    /** Version of the document's layout; bumped on any incompatible change. */
    public static final int SCHEMA_VERSION = 1;

    private final JsonGenerator g;
    private final JsonWriter w;
    private final boolean all;

    /**
     * @param all every connection, not only those with a failure verdict
     */
    public JsonReport(Writer out, boolean all, boolean pretty, String version)
            throws IOException {
        this(new JsonFactory().createGenerator(out), all, pretty, version);
    }

    /**
     * As {@link #JsonReport(Writer, boolean, boolean, String)}, in UTF-8 straight to a byte
     * stream, where the fixed texts are copied as the bytes they were encoded to once; through a
     * Writer the JDK encodes them again, character by character once its buffer holds a
     * non-ASCII one (µ, —), as most failures do.
     */
    public JsonReport(OutputStream out, boolean all, boolean pretty, String version)
            throws IOException {
        this(new JsonFactory().createGenerator(out, JsonEncoding.UTF8), all, pretty, version);
    }

    private JsonReport(JsonGenerator g, boolean all, boolean pretty, String version)
            throws IOException {
        this.g = g;
        this.w = new JsonWriter(g);
        if (pretty) {
            g.useDefaultPrettyPrinter();
        }
        this.all = all;
        g.writeStartObject();
        g.writeNumberField("schema_version", SCHEMA_VERSION);
        g.writeStringField("synscope_version", version);
        g.writeArrayFieldStart("connections");
    }

    @Override
    public boolean wants(Verdict v) {
        return all || v.isFailure();
    }

    @Override
    public void onConnection(ConnectionResult r) throws IOException {
        g.writeStartObject();
        w.connectionFields(r);
        g.writeEndObject();
    }

    @Override
    public void onFinish(CaptureInfo c, Summary s) throws IOException {
        g.writeEndArray();
        g.writeBooleanField("all_connections", all);
        w.capture(c);
        w.summary(s);
        w.kernel(c.kernel());
        g.writeEndObject();
        g.flush();
    }
}
