package io.synscope.decode;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.synscope.capture.CaptureException;
import io.synscope.capture.Captures;
import io.synscope.capture.PacketSource;
import io.synscope.capture.RawPacket;
import io.synscope.testutil.Corpus;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;

/** Every frame of every capture in the shared corpus (skipped when the corpus is absent). */
class PacketDecoderCorpusTest {

    /**
     * TCP segments per capture as tshark 4 counts them ({@code -Y 'tcp && !icmp && !icmpv6'},
     * Teredo heuristic on), for the captures with unusual link types and encapsulations. In
     * gtp2_different_udp_port tshark counts reassembled datagrams where synscope decodes their
     * first fragments: the same number.
     */
    private static final Map<String, Integer> TSHARK_TCP_FRAMES = Map.ofEntries(
            Map.entry("zeek/cisco-fabric-path.pcap", 32),
            Map.entry("zeek/pppoe-over-qinq.pcap", 86),
            Map.entry("zeek/mixed-vlan-mpls.pcap", 47),
            Map.entry("zeek/mpls-in-vlan.pcap", 3),
            Map.entry("arkime/mpls-basic.pcap", 19),
            Map.entry("tcpdump/ipoib.pcap", 20),
            Map.entry("zeek/tunnels__Teredo.pcap", 55),
            Map.entry("zeek/tunnels__gtp__gtp2_different_udp_port.pcap", 78),
            Map.entry("zeek/tunnels__gtp__gtp6_gtp_0x32.pcap", 31),
            Map.entry("zeek/tunnels__vxlan-inner-tcp-bad-checksum.pcap", 1),
            Map.entry("zeek/tunnels__geneve-inner-tcp-bad-checksum.pcap", 1),
            Map.entry("zeek/tunnels__tunnel-direct-bypass.pcap", 20),
            Map.entry("zeek/vntag_vlan_sandwich_clean.pcap", 1),
            Map.entry("arkime/ssl-selfsign.pcap", 20),
            Map.entry("zeek/tls__irc-starttls.pcap", 20),
            Map.entry("tcpdump/mptcp-tcprst.pcap", 2),
            Map.entry("arkime/adb.pcap", 13),
            Map.entry("arkime/arkime_synthetic.pcap", 733));

    @Test
    void everyCorpusFrameDecodes() throws IOException {
        Path corpus = Corpus.dir();
        List<Path> captures;
        try (Stream<Path> files = Files.walk(corpus)) {
            captures = files.filter(p -> p.toString().matches(".*\\.(pcap|pcapng)(\\.gz)?$"))
                    .sorted().toList();
        }
        assertFalse(captures.isEmpty(), "no captures under " + corpus);

        PacketDecoder decoder = new PacketDecoder();
        TcpSegment segment = new TcpSegment();
        RawPacket raw = new RawPacket();
        List<String> failures = new ArrayList<>();
        int checked = 0;
        for (Path capture : captures) {
            String name = corpus.relativize(capture).toString().replace('\\', '/');
            Map<SkipReason, Integer> skipped = new EnumMap<>(SkipReason.class);
            int segments = 0;
            try (PacketSource source = Captures.open(capture.toString())) {
                while (source.next(raw)) {
                    SkipReason reason = decoder.decode(raw, segment);
                    if (reason == null) {
                        segments++;
                        assertTrue(segment.payloadLength >= 0, name + " frame " + raw.frameNumber);
                    } else {
                        skipped.merge(reason, 1, Integer::sum);
                        if (reason == SkipReason.MALFORMED || reason == SkipReason.TRUNCATED
                                || reason == SkipReason.UNSUPPORTED_LINK_TYPE) {
                            failures.add(name + " frame " + raw.frameNumber + ": " + reason + " "
                                    + decoder.lastProblem() + " at " + decoder.lastProblemOffset());
                        }
                    }
                }
            } catch (CaptureException e) {
                failures.add(e.describe());
            }
            if (segments == 0) {
                failures.add(name + ": no TCP segment decoded, skipped " + skipped);
            }
            Integer expected = TSHARK_TCP_FRAMES.get(name);
            if (expected != null) {
                checked++;
                if (expected != segments) {
                    failures.add(name + ": " + segments + " TCP segments, tshark counts " + expected);
                }
            }
        }
        // Every corpus capture is a real, well-formed trace: nothing in it should be malformed.
        assertEquals(List.of(), failures);
        assertEquals(TSHARK_TCP_FRAMES.size(), checked, "captures with tshark counts not found");
    }
}
