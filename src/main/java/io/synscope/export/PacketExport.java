package io.synscope.export;

import io.synscope.capture.Addresses;
import io.synscope.capture.CaptureException;
import io.synscope.capture.CaptureWriter;
import io.synscope.capture.PacketSource;
import io.synscope.capture.RawPacket;
import io.synscope.decode.PacketDecoder;
import io.synscope.decode.TcpSegment;
import io.synscope.diagnose.ConnectionResult;
import io.synscope.diagnose.HostPort;
import io.synscope.diagnose.Summary;
import io.synscope.diagnose.Verdict;
import io.synscope.pipeline.AnalysisSink;
import io.synscope.pipeline.Analyzer;
import io.synscope.pipeline.CaptureInfo;
import io.synscope.pipeline.KernelDocument;
import io.synscope.report.WiresharkFilter;

import java.io.IOException;
import java.util.function.BooleanSupplier;

/**
 * {@code --export FILE}: the packets of the connections a report lists, as a capture of their
 * own. Two passes: during the analysis this sink keeps each listed connection's address/port
 * pair and time window (first to last packet, widened by {@link WiresharkFilter#MARGIN_NANOS}
 * each side, the window of the connection's Wireshark filter); afterwards {@link #write} reads
 * the same capture again and copies every TCP packet that falls in one of those windows, in
 * the capture's own order. The window is what keeps a later connection that reuses the ports
 * out; every packet of a listed connection is in it, the handshake and its retries included.
 *
 * <p>Memory: the windows only (about 70 bytes a connection exported), never packets.
 */
public final class PacketExport implements AnalysisSink {
    private final boolean all;
    private final ConnectionWindows windows = new ConnectionWindows();
    /** The analysis's account of the capture, once it finished; null before. */
    private CaptureInfo analysed;

    /**
     * @param all every connection it is handed, not only failures (as a report's {@code --all}:
     *            given, or implied by a selection that names healthy verdicts or outcomes)
     */
    public PacketExport(boolean all) {
        this.all = all;
    }

    /** What {@link #write} wrote. */
    public record Result(long packets, int connections) {
    }

    @Override
    public boolean wants(Verdict v) {
        return all || v.isFailure();
    }

    @Override
    public void onConnection(ConnectionResult r) {
        HostPort c = r.client();
        HostPort s = r.server();
        byte[] client = literal(c.ip());
        byte[] server = literal(s.ip());
        windows.add(Addresses.hi(client), Addresses.lo(client), c.port(), Addresses.hi(server),
                Addresses.lo(server), s.port(), r.firstSeenNanos() - WiresharkFilter.MARGIN_NANOS,
                r.lastSeenNanos() + WiresharkFilter.MARGIN_NANOS);
    }

    @Override
    public void onFinish(CaptureInfo capture, Summary summary) {
        analysed = capture;
    }

    /** The analysis's account of the capture, or null when it did not finish. */
    public CaptureInfo analysed() {
        return analysed;
    }

    /**
     * Copies the exported connections' packets from {@code again}, the capture the analysis
     * read, opened anew, up to the frames the analysis read (it may have been interrupted or
     * stopped at damage), then finishes {@code to} with the analysed capture's end time (so
     * that an analysis of the export judges silences as the whole capture's did) and, when it
     * is given and the file has room for it, the kernel's evidence.
     *
     * @param kernelDocument the kernel evidence as {@code KernelDocument} text, or null
     * @param stop           says when to stop early (Ctrl-C): the file then ends there
     */
    public Result write(PacketSource again, CaptureWriter to, String kernelDocument,
                        BooleanSupplier stop) throws IOException {
        PacketDecoder decoder = new PacketDecoder();
        TcpSegment segment = new TcpSegment();
        RawPacket raw = new RawPacket();
        long frames = analysed == null ? Long.MAX_VALUE : analysed.frames();
        long packets = 0;
        long endNanos = Long.MIN_VALUE;
        for (long n = 0; n <= frames; n++) {
            if ((n & 0xFFF) == 0 && stop.getAsBoolean()) {
                break;
            }
            try {
                if (!again.next(raw)) {
                    // Known once the capture is read to its end: a quiet link after the last
                    // frame, as the analysis judged it.
                    endNanos = again.endNanos();
                    break;
                }
            } catch (CaptureException damage) {
                // The analysis stopped at the same place and said so.
                break;
            }
            if (n < frames && decoder.decode(raw, segment) == null
                    && windows.matches(segment.srcHi, segment.srcLo, segment.srcPort,
                    segment.dstHi, segment.dstLo, segment.dstPort,
                    Analyzer.inTimeRange(raw.tsNanos))) {
                to.write(raw, again.snaplen());
                packets++;
            }
        }
        if (kernelDocument != null && to.keepsAttachments()) {
            to.attach(KernelDocument.ATTACHMENT_KIND, kernelDocument);
        }
        to.finish(analysed == null || analysed.frames() == 0 ? endNanos
                : Math.max(analysed.lastTsNanos(), endNanos), null);
        return new Result(packets, windows.size());
    }

    /** The bytes of an address synscope printed itself: a literal, never a name to look up. */
    private static byte[] literal(String ip) {
        byte[] b = Addresses.literal(ip);
        if (b == null) {
            throw new IllegalStateException("not an address literal: " + ip);
        }
        return b;
    }
}
