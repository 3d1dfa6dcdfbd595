package io.synscope.lab;

import com.fasterxml.jackson.core.JsonGenerator;
import io.synscope.capture.CaptureException;
import io.synscope.capture.Captures;
import io.synscope.capture.PacketSource;
import io.synscope.capture.RawPacket;

import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.Writer;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Map;

/**
 * {@code demo.pcap}: several modes' captures merged in time order into one pcap (what
 * {@code mergecap -F pcap} does), and {@code demo.expected.json}: the union of their
 * connections, each tagged with the file it came from. Client ports repeat across runs with new
 * ISNs: port reuse the analyser must separate.
 */
public final class Demo {
    /** The modes merged into the demo, in the order they are listed in its made_by. */
    public static final List<String> PARTS = List.of("refused", "syn-dropped-accept-queue",
            "ack-ignored", "overflow-reset", "rst-unread-data", "rst-linger0", "write-after-close",
            "ok");
    public static final String NAME = "demo";

    private Demo() {
    }

    private record Frame(long tsNanos, int originalLength, byte[] bytes) {
    }

    /**
     * Writes {@code outDir/demo.pcap} and its expected.json from the runs of {@link #PARTS}.
     *
     * @param runs every part's run (others are ignored)
     */
    public static Path write(Path outDir, Map<String, Lab.Run> runs) throws IOException, CaptureException {
        List<Frame> frames = new ArrayList<>();
        int linkType = -1;
        for (String part : PARTS) {
            Lab.Run run = runs.get(part);
            if (run == null) {
                throw new IllegalArgumentException("no run of " + part);
            }
            try (PacketSource source = Captures.open(run.capture().toString())) {
                RawPacket p = new RawPacket();
                while (source.next(p)) {
                    if (linkType >= 0 && p.linkType != linkType) {
                        throw new IOException(run.capture() + " has link type " + p.linkType
                                + ", the other parts " + linkType);
                    }
                    linkType = p.linkType;
                    frames.add(new Frame(p.tsNanos, p.originalLength,
                            Arrays.copyOfRange(p.data, p.offset, p.offset + p.capturedLength)));
                }
            }
        }
        // Stable: frames with the same timestamp keep the parts' order.
        frames.sort(Comparator.comparingLong(Frame::tsNanos));
        Path pcap = outDir.resolve(NAME + ".pcap");
        try (OutputStream out = new BufferedOutputStream(Files.newOutputStream(pcap))) {
            ByteBuffer h = ByteBuffer.allocate(24).order(ByteOrder.LITTLE_ENDIAN);
            h.putInt(0xa1b2c3d4).putShort((short) 2).putShort((short) 4).putInt(0).putInt(0)
                    .putInt(Lab.SNAPLEN).putInt(linkType);
            out.write(h.array());
            for (Frame f : frames) {
                ByteBuffer r = ByteBuffer.allocate(16).order(ByteOrder.LITTLE_ENDIAN);
                r.putInt((int) (f.tsNanos / 1_000_000_000L))
                        .putInt((int) (f.tsNanos % 1_000_000_000L / 1000))
                        .putInt(f.bytes.length).putInt(f.originalLength);
                out.write(r.array());
                out.write(f.bytes);
            }
        }
        try (Writer w = Files.newBufferedWriter(outDir.resolve(NAME + ".expected.json"),
                StandardCharsets.UTF_8);
             JsonGenerator g = LabJson.MAPPER.getFactory().createGenerator(w)) {
            g.setPrettyPrinter(Expected.prettyPrinter());
            g.writeStartObject();
            g.writeStringField("capture", NAME + ".pcap");
            g.writeStringField("mode", NAME);
            g.writeStringField("made_by", "synscope lab --all: "
                    + String.join(", ", PARTS.stream().map(p -> p + ".pcap").toList())
                    + " merged in time order (see each file's own .expected.json for how it was made)");
            g.writeStringField("side", "server");
            g.writeArrayFieldStart("connections");
            for (String part : PARTS) {
                for (Expected.Row row : runs.get(part).rows()) {
                    Expected.writeRow(g, row, part + ".pcap");
                }
            }
            g.writeEndArray();
            g.writeEndObject();
            g.writeRaw('\n');
        }
        return pcap;
    }
}
