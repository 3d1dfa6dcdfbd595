package io.synscope.pipeline;

import io.synscope.capture.Captures;
import io.synscope.capture.PacketSource;
import io.synscope.diagnose.HostPort;
import io.synscope.diagnose.Judgement;
import io.synscope.flow.AnalysisConfig;
import io.synscope.testutil.CollectingSink;
import io.synscope.testutil.Samples;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class AnalyzerTest {

    @Test
    void aStopRequestEndsReadingAndStillReports() throws Exception {
        CollectingSink sink = new CollectingSink();
        try (PacketSource source = Captures.open("sample-pcaps/demo.pcap")) {
            new Analyzer(AnalysisConfig.defaults()).run(source, sink, () -> true);
        }
        assertEquals(0, sink.capture.frames());
        assertTrue(sink.capture.warnings().get(0).startsWith("interrupted after 0 frames"),
                sink.capture.warnings().toString());
        assertEquals(0, sink.summary.connections());
    }

    /**
     * The summary, the capture's count and the connections handed to the sink agree with each
     * other and with how the sample was made (its expected file), on two threads.
     */
    @Test
    void summaryCountsEveryConnectionTheSinkSaw() throws Exception {
        List<Samples.Made> made = Samples.made("demo.pcap");
        long madeFailures = made.stream().filter(Samples.Made::failure).count();
        CollectingSink sink = CollectingSink.analyze(Path.of("sample-pcaps/demo.pcap"), 2);
        assertEquals(made.size(), sink.summary.connections());
        assertEquals(made.size(), sink.connections.size());
        assertEquals(made.size(), sink.capture.connections());
        assertEquals(madeFailures, sink.summary.failures());
        assertEquals(madeFailures,
                sink.connections.stream().filter(c -> c.verdict().isFailure()).count());
    }

    /**
     * A sink that does not judge is never called for each decided connection (nor, with two
     * threads, locked for it); one that does is called once per connection. The truth is the
     * sample's expected file, made from how the capture was made.
     */
    @Test
    void onlyASinkThatJudgesIsCalledForEachConnection() throws Exception {
        int expected = Samples.made("demo.pcap").size();
        for (boolean judges : new boolean[] {false, true}) {
            long[] judged = new long[1];
            CollectingSink sink = new CollectingSink() {
                @Override
                public boolean judges() {
                    return judges;
                }

                @Override
                public void onJudged(HostPort server, Judgement judgement) {
                    judged[0]++;
                }
            };
            try (PacketSource source = Captures.open("sample-pcaps/demo.pcap")) {
                new Analyzer(AnalysisConfig.defaults(), 2).run(source, sink);
            }
            assertEquals(judges ? expected : 0, judged[0], "judges: " + judges);
            assertEquals(expected, sink.summary.connections());
        }
    }
}
