package io.synscope.diagnose;

import io.synscope.capture.Captures;
import io.synscope.capture.PacketSource;
import io.synscope.capture.RawPacket;
import io.synscope.decode.PacketDecoder;
import io.synscope.decode.TcpSegment;
import io.synscope.flow.AnalysisConfig;
import io.synscope.flow.FlowTracker;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The clean-close shortcut must say exactly what the full rules say, on every real connection. */
class CleanCloseShortcutTest {

    @Test
    void shortcutAgreesWithTheRulesOnEverySample() throws Exception {
        AnalysisConfig config = AnalysisConfig.defaults();
        Classifier classifier = new Classifier(config);
        List<String> disagreements = new ArrayList<>();
        int[] compared = new int[1];
        List<Path> samples;
        try (Stream<Path> files = Files.list(Path.of("sample-pcaps"))) {
            samples = files.filter(p -> p.toString().matches(".*\\.(pcap|pcapng)$")).sorted()
                    .toList();
        }
        for (Path sample : samples) {
            FlowTracker tracker = new FlowTracker(config, (c, reason, now) -> {
                compared[0]++;
                Diagnosis quick = classifier.classify(c, reason, now);
                Diagnosis full = classifier.byRules(c, reason, now);
                if (!quick.equals(full)) {
                    disagreements.add(sample + " frame " + c.id() + ": " + quick + " vs " + full);
                }
            });
            PacketDecoder decoder = new PacketDecoder();
            TcpSegment segment = new TcpSegment();
            try (PacketSource source = Captures.open(sample.toString())) {
                RawPacket raw = new RawPacket();
                while (source.next(raw)) {
                    if (decoder.decode(raw, segment) == null) {
                        tracker.accept(segment);
                    }
                }
            }
            tracker.finish();
        }
        assertEquals(List.of(), disagreements);
        assertTrue(compared[0] > 100, "compared " + compared[0]);
    }
}
