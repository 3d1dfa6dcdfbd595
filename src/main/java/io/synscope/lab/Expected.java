package io.synscope.lab;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.util.DefaultIndenter;
import com.fasterxml.jackson.core.util.DefaultPrettyPrinter;
import com.fasterxml.jackson.core.util.Separators;
import io.synscope.diagnose.Confidence;
import io.synscope.diagnose.HostPort;
import io.synscope.lab.TruthRules.Expectation;

import java.io.IOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * One run's expected verdicts: a row per connection (spoofed SYNs included), in start order,
 * from the truth by {@link TruthRules}, and the {@code MODE.expected.json} document that holds
 * them with how the run was set up (format: sample-pcaps/README.md).
 */
public final class Expected {
    private Expected() {
    }

    /**
     * One connection's expectation.
     *
     * @param id    the client's name for it (c1, c2 …), null for a spoofed SYN
     * @param truth what the programs and the driver saw, in words
     * @param saw   what the client saw, in a few words (for the comparison table)
     */
    public record Row(long startEpochUs, String id, String role, HostPort client, HostPort server,
                      Expectation expectation, String truth, String saw) {
    }

    /**
     * How the run was set up and what the kernel counted; the header of expected.json.
     *
     * @param relay the lossy relay's settings and totals, null without one
     */
    record RunInfo(LabMode mode, String kernel, String tc, Map<String, Long> serverSysctls,
                   Map<String, Long> clientSysctls, Map<String, Long> nstatServer,
                   Map<String, Long> nstatClient, Truth.RelayStats relay) {
    }

    /** The rows of a run for a capture made on {@code side}, in start order. */
    static List<Row> rows(List<Truth.Client> clients, List<Truth.Server> servers,
                          List<Truth.Spoofed> spoofed, TruthRules.RunFacts facts,
                          LabMode.Side side) {
        Map<HostPort, Truth.Server> byClient = new HashMap<>();
        for (Truth.Server s : servers) {
            byClient.put(s.client(), s);
        }
        List<Row> rows = new ArrayList<>();
        for (Truth.Spoofed sp : spoofed) {
            rows.add(new Row(sp.sentEpochUs(), null, null, sp.client(), sp.server(),
                    TruthRules.spoofed(), String.format(Locale.ROOT, "spoofed SYN (raw socket, ISN %d)"
                            + " from %s:%d; the server's static neighbour entry maps %s to a MAC no"
                            + " host owns, so its SYN-ACKs are never answered", sp.isn(),
                    sp.client().ip(), sp.client().port(), sp.client().ip()), "spoofed SYN"));
        }
        for (Truth.Client c : clients) {
            Truth.Server s = byClient.get(c.client());
            boolean forgotten = facts.forgottenPorts().contains(c.client().port());
            String truth = describeClient(c);
            String server = describeServer(c, s, forgotten);
            if (server != null) {
                truth += ". " + server;
            }
            Truth.Relayed path = facts.relayed().get(c.client());
            if (path != null) {
                truth += ". " + describePath(c, path);
            }
            rows.add(new Row(c.startEpochUs(), c.id(), c.role(), c.client(), c.server(),
                    TruthRules.classify(c, s, facts, side), truth, saw(c)));
        }
        rows.sort(Comparator.comparingLong(Row::startEpochUs));
        return rows;
    }

    static String describeClient(Truth.Client c) {
        List<String> parts = new ArrayList<>();
        Truth.Connect conn = c.connect();
        if (conn.result() == Truth.ConnectResult.OK) {
            parts.add(f("connect() ok in %.2f ms", conn.ms()));
        } else if (conn.exception() != null) {
            parts.add(f("connect() threw %s after %.1f ms", conn.exception(), conn.ms()));
        } else {
            parts.add(f("connect() still pending after %.1f ms", conn.ms()));
        }
        for (Truth.Write w : c.writes()) {
            String what = w.bytes() <= 40 ? "'" + w.head() + "'" : w.bytes() + " B";
            String when = w.afterEof() ? " after EOF" : "";
            parts.add(w.exception() != null
                    ? f("write of %s%s at %.1f ms threw %s", what, when, w.ms(), w.exception())
                    : f("wrote %s%s at %.1f ms", what, when, w.ms()));
        }
        for (TcpInfo t : c.tcpInfo()) {
            parts.add(t.error() != null ? f("TCP_INFO at %.0f ms failed: %s", t.ms(), t.error())
                    : f("TCP_INFO at %.0f ms: unacked %d, bytes_sent %d, bytes_acked %d,"
                            + " retrans %d/%d", t.ms(), t.unacked(), t.bytesSent(), t.bytesAcked(),
                    t.retrans(), t.totalRetrans()));
        }
        Truth.Read r = c.read();
        if (r.expectedBytes() > 0) {
            parts.add(r.complete()
                    ? f("read the full %d B reply (first byte at %.1f ms, complete at %.1f ms)",
                    r.bytes(), r.firstByteMs(), r.completeMs())
                    : f("read %d of %d B reply", r.bytes(), r.expectedBytes()));
        }
        if (r.eof()) {
            parts.add(f("EOF at %.1f ms", r.eofMs()));
        }
        if (r.exception() != null) {
            parts.add(f("read threw %s at %.1f ms", r.exception(), r.exceptionMs()));
        }
        if (r.timedOut()) {
            parts.add("read timed out");
        }
        if (c.close() == Truth.ClientClose.LINGER0) {
            parts.add("closed with SO_LINGER 0");
        } else if (c.close() == Truth.ClientClose.NORMAL) {
            parts.add("close()");
        }
        return String.join("; ", parts);
    }

    static String describeServer(Truth.Client c, Truth.Server s, boolean forgotten) {
        if (c.connect().result() != Truth.ConnectResult.OK) {
            return null;
        }
        if (s == null) {
            return "server: never accepted it";
        }
        List<String> parts = new ArrayList<>();
        parts.add(f("accepted it %.1f ms after connect() began",
                (s.acceptedEpochUs() - c.startEpochUs()) / 1000.0));
        if (s.request() != null) {
            parts.add(f("read %d B ('%s')", s.requestBytes(), s.request()));
        }
        if (s.replyBytes() > 0) {
            parts.add("replied " + s.replyBytes() + " B");
        }
        switch (s.close()) {
            case UNREAD -> parts.add("closed with " + s.unreadBytes() + " B unread");
            case LINGER0 -> parts.add("closed with SO_LINGER 0");
            case FIN -> parts.add("closed" + (s.sawEof() ? " after EOF" : ""));
            case NONE -> {
                // Said below, by openAtExit or the exception.
            }
        }
        if (s.exception() != null) {
            parts.add("threw " + s.exception());
        }
        if (forgotten) {
            parts.add("then the server host forgot it (its veth end moved to a fresh namespace"
                    + " without sockets; nothing was sent)");
        }
        if (s.openAtExit()) {
            parts.add("the socket was still open when the server was stopped");
        }
        return "server: " + String.join(", ", parts);
    }

    /** What the relay saw and dropped of the connection; times since connect() began. */
    static String describePath(Truth.Client c, Truth.Relayed path) {
        StringBuilder sb = new StringBuilder(f("relay: %d SYN%s and %d SYN-ACK%s went by",
                path.syns(), path.syns() == 1 ? "" : "s", path.synAcks(),
                path.synAcks() == 1 ? "" : "s"));
        if (path.dropped().isEmpty()) {
            return sb.append(", nothing dropped").toString();
        }
        List<String> drops = new ArrayList<>();
        for (Truth.Dropped d : path.dropped()) {
            drops.add(f("%s %s (%s seq %d len %d) at %.1f ms, %s",
                    d.direction() == Truth.Direction.CLIENT_TO_SERVER ? "the client's"
                            : "the server's", d.kind().key(), d.flags(), d.seq(), d.payloadBytes(),
                    (d.epochUs() - c.startEpochUs()) / 1000.0, d.reason().key()));
        }
        return sb.append("; dropped ").append(String.join("; ", drops)).toString();
    }

    /** What the client saw, in a few words: "refused", "timeout 7.1 s", "reply, reset" … */
    static String saw(Truth.Client c) {
        Truth.Connect conn = c.connect();
        switch (conn.result()) {
            case REFUSED -> {
                return "refused";
            }
            case TIMEOUT -> {
                return f("connect timeout %.1f s", conn.ms() / 1000);
            }
            case ERROR, GAVE_UP -> {
                return "connect failed";
            }
            case OK -> {
                // Below.
            }
        }
        List<String> parts = new ArrayList<>();
        if (conn.ms() >= TruthRules.SYN_RETRANSMITTED_MS) {
            parts.add(f("connect %.1f s", conn.ms() / 1000));
        }
        if (c.tcpInfo().stream().anyMatch(TcpInfo::dataSentNoneAcked)) {
            parts.add("request unacked");
        }
        if (TruthRules.serverSpokeFirst(c)) {
            parts.add("server spoke first");
        }
        Truth.Read r = c.read();
        if (r.complete()) {
            parts.add(r.firstByteMs() != null && r.firstByteMs() >= 1000
                    ? f("reply at %.1f s", r.firstByteMs() / 1000) : "reply");
        }
        if (r.eof()) {
            parts.add("EOF");
        }
        if (c.sawReset()) {
            parts.add("reset");
        } else if (r.exception() != null) {
            parts.add("read error");
        }
        if (r.timedOut()) {
            parts.add("read timeout");
        }
        if (c.close() == Truth.ClientClose.LINGER0) {
            parts.add("linger0 close");
        }
        return parts.isEmpty() ? "connected" : String.join(", ", parts);
    }

    /**
     * Writes {@code MODE.expected.json} (or a variant's) for {@code captureName}.
     *
     * @param side     which veth end the capture was made on
     * @param linkType ethernet, linux-sll or linux-sll2
     * @param madeBy   the capture command, in words
     */
    static void write(Path file, String captureName, String side, String linkType, String madeBy,
                      RunInfo info, List<Row> rows) throws IOException {
        try (Writer w = Files.newBufferedWriter(file, StandardCharsets.UTF_8);
             JsonGenerator g = LabJson.MAPPER.getFactory().createGenerator(w)) {
            g.setPrettyPrinter(prettyPrinter());
            g.writeStartObject();
            g.writeStringField("capture", captureName);
            g.writeStringField("mode", info.mode().name());
            g.writeStringField("side", side);
            g.writeStringField("link_type", linkType);
            g.writeStringField("made_by", madeBy);
            g.writeNumberField("snaplen", Lab.SNAPLEN);
            g.writeStringField("kernel", info.kernel());
            LabMode.Server server = info.mode().server();
            if (server != null) {
                g.writeNumberField("backlog", server.backlog());
                g.writeStringField("server_handler", LabJson.key(server.handler()));
                g.writeStringField("server_api", LabJson.key(server.api()));
            } else {
                g.writeNullField("backlog");
                g.writeNullField("server_handler");
                g.writeNullField("server_api");
            }
            g.writeStringField("tc", info.tc());
            g.writeObjectFieldStart("sysctls");
            g.writeFieldName("server");
            LabJson.MAPPER.writeValue(g, info.serverSysctls());
            g.writeFieldName("client");
            LabJson.MAPPER.writeValue(g, info.clientSysctls());
            g.writeEndObject();
            g.writeFieldName("nstat_delta");
            LabJson.MAPPER.writeValue(g, info.nstatServer());
            g.writeFieldName("nstat_delta_client");
            LabJson.MAPPER.writeValue(g, info.nstatClient());
            if (info.relay() != null) {
                g.writeFieldName("relay");
                LabJson.MAPPER.writeValue(g, info.relay());
            }
            g.writeArrayFieldStart("connections");
            for (Row r : rows) {
                writeRow(g, r, null);
            }
            g.writeEndArray();
            g.writeEndObject();
            g.writeRaw('\n');
        }
    }

    /** One connection of {@code connections}; {@code from} names its file in a merged capture. */
    static void writeRow(JsonGenerator g, Row r, String from) throws IOException {
        g.writeStartObject();
        if (r.id() != null) {
            g.writeStringField("id", r.id());
            g.writeStringField("role", r.role());
        }
        g.writeFieldName("client");
        LabJson.MAPPER.writeValue(g, r.client());
        g.writeFieldName("server");
        LabJson.MAPPER.writeValue(g, r.server());
        g.writeStringField("verdict", r.expectation().verdict().key());
        g.writeStringField("outcome", r.expectation().outcome().key());
        g.writeNumberField("rule", r.expectation().rule());
        if (r.expectation().constrained()) {
            g.writeArrayFieldStart("confidence");
            for (Confidence c : Confidence.values()) {
                if (r.expectation().confidences().contains(c)) {
                    g.writeString(c.key());
                }
            }
            g.writeEndArray();
            if (!r.expectation().alternativeWords().isEmpty()) {
                g.writeFieldName("alternative_mentions");
                LabJson.MAPPER.writeValue(g, r.expectation().alternativeWords());
            }
        }
        g.writeStringField("truth", r.truth());
        if (from != null) {
            g.writeStringField("from", from);
        }
        g.writeEndObject();
    }

    /** Two-space indent, {@code "name": value}: what reads best in a diff. */
    static DefaultPrettyPrinter prettyPrinter() {
        DefaultIndenter indent = new DefaultIndenter("  ", "\n");
        return new DefaultPrettyPrinter(Separators.createDefaultInstance()
                .withObjectFieldValueSpacing(Separators.Spacing.AFTER))
                .withObjectIndenter(indent).withArrayIndenter(indent);
    }

    private static String f(String format, Object... args) {
        return String.format(Locale.ROOT, format, args);
    }
}
