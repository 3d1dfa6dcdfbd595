package io.synscope.diagnose;

import io.synscope.capture.Captures;
import io.synscope.capture.PacketSource;
import io.synscope.flow.AnalysisConfig;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class AnalyzerTest {

    /** Collects what a renderer would get. */
    private static final class Collect implements AnalysisSink {
        final List<ConnectionResult> connections = new ArrayList<>();
        CaptureInfo info;
        Summary summary;

        @Override
        public boolean wants(Verdict v) {
            return true;
        }

        @Override
        public void onConnection(ConnectionResult r) {
            connections.add(r);
        }

        @Override
        public void onFinish(CaptureInfo capture, Summary s) {
            info = capture;
            summary = s;
        }
    }

    @Test
    void aStopRequestEndsReadingAndStillReports() throws Exception {
        Collect sink = new Collect();
        try (PacketSource source = Captures.open("sample-pcaps/demo.pcap")) {
            new Analyzer(AnalysisConfig.defaults()).run(source, sink, () -> true);
        }
        assertEquals(0, sink.info.frames());
        assertTrue(sink.info.warnings().get(0).startsWith("interrupted after 0 frames"),
                sink.info.warnings().toString());
        assertEquals(0, sink.summary.connections());
    }

    @Test
    void summaryCountsEveryConnectionTheSinkSaw() throws Exception {
        Collect sink = new Collect();
        try (PacketSource source = Captures.open("sample-pcaps/demo.pcap")) {
            new Analyzer(AnalysisConfig.defaults()).run(source, sink);
        }
        assertEquals(sink.connections.size(), sink.summary.connections());
        assertEquals(sink.info.connections(), sink.summary.connections());
        long failures = sink.connections.stream().filter(c -> c.verdict().isFailure()).count();
        assertEquals(failures, sink.summary.failures());
    }
}
