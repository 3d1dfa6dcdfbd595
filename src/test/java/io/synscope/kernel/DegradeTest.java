package io.synscope.kernel;

import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Sources that cannot be read are reported once with their reason; nothing is thrown. */
class DegradeTest {

    @Test
    void aNamespaceThatDoesNotExistMakesEverySourceUnavailableAndSaysWhy() {
        String name = "kdiag-missing-" + ProcessHandle.current().pid();
        List<SourceStatus> told = new ArrayList<>();
        KernelSampler sampler = KernelSampler.start(KernelConfig.defaults().withNetns(name), told::add,
                SampleSink.NONE);
        sampler.close();
        KernelReport r = sampler.snapshot();
        SourceStatus netns = r.source(SourceStatus.NETNS).orElseThrow();
        assertFalse(netns.available());
        assertTrue(netns.why().contains(name) && netns.why().contains("does not exist"), netns.why());
        for (String source : List.of(SourceStatus.SOCK_DIAG, SourceStatus.SYSCTLS,
                SourceStatus.NETSTAT, SourceStatus.SNMP)) {
            assertFalse(r.source(source).orElseThrow().available(), source);
        }
        assertEquals(5, told.size(), "each source told once: " + told);
        assertEquals(0, r.samples());
    }

    @Test
    void aFileThatIsNotANamespaceIsRefusedByTheKernelWithItsReason() throws Exception {
        Path notNs = Files.createTempFile("kdiag-not-a-netns", "");
        try {
            KernelSampler sampler = KernelSampler.start(KernelConfig.defaults().withNetns(notNs.toString()));
            sampler.close();
            SourceStatus netns = sampler.snapshot().source(SourceStatus.NETNS).orElseThrow();
            assertFalse(netns.available());
            // setns(2) on a plain file: EINVAL, "Invalid argument"; as non-root: EPERM.
            assertTrue(netns.why().contains("Invalid argument") || netns.why().contains("root"), netns.why());
        } finally {
            Files.delete(notNs);
        }
    }

    @Test
    void controlCharactersInAReasonAreEscaped() {
        String name = "kdiag-\u001b[31mred-" + ProcessHandle.current().pid();
        KernelSampler sampler = KernelSampler.start(KernelConfig.defaults().withNetns(name));
        sampler.close();
        String why = sampler.snapshot().source(SourceStatus.NETNS).orElseThrow().why();
        assertFalse(why.contains("\u001b"), why);
        assertTrue(why.contains("\\x1b[31m"), why);
    }

    @Test
    void aMissingCountersFileOrGroupSaysWhich() throws Exception {
        KernelSourceException missing = assertThrows(KernelSourceException.class,
                () -> ProcNetFile.open(Path.of("/proc/thread-self/net/no-such-file"), "TcpExt"));
        assertTrue(missing.getMessage().contains("no-such-file"), missing.getMessage());
        Path text = Files.createTempFile("kdiag-snmp", "");
        try {
            Files.writeString(text, "Udp: InDatagrams\nUdp: 3\n");
            KernelSourceException noGroup = assertThrows(KernelSourceException.class,
                    () -> ProcNetFile.open(text, "TcpExt"));
            assertTrue(noGroup.getMessage().contains("no TcpExt counters"), noGroup.getMessage());
        } finally {
            Files.delete(text);
        }
    }

    @Test
    void aSinkThatThrowsIsToldNoMoreAndSaidOnce() {
        org.junit.jupiter.api.Assumptions.assumeTrue(Files.isDirectory(KernelSampler.PROC_NET),
                "needs Linux's /proc/thread-self/net");
        int[] calls = new int[1];
        List<SourceStatus> told = new ArrayList<>();
        KernelSampler sampler = KernelSampler.start(KernelConfig.defaults().withIntervals(10, 1000),
                told::add, new SampleSink() {
                    @Override
                    public void sample(long tsNanos) {
                        calls[0]++;
                        throw new IllegalStateException("full");
                    }
                });
        sampler.close();
        assertEquals(1, calls[0]);
        assertEquals(List.of(SourceStatus.SAMPLE_SINK), told.stream().map(SourceStatus::name).toList());
        assertTrue(told.get(0).why().contains("full"), told.get(0).why());
        assertTrue(sampler.snapshot().source(SourceStatus.NETSTAT).orElseThrow().available(),
                "the sources go on");
    }

    @Test
    void theOwnNamespaceIsReadWithoutEnteringOne() {
        org.junit.jupiter.api.Assumptions.assumeTrue(Files.isDirectory(KernelSampler.PROC_NET),
                "needs Linux's /proc/thread-self/net");
        Set<String> counters = ConcurrentHashMap.newKeySet();
        KernelSampler sampler = KernelSampler.start(KernelConfig.defaults(), status -> { },
                new SampleSink() {
                    @Override
                    public void counter(String name, long value) {
                        counters.add(name);
                    }
                });
        sampler.close();
        KernelReport r = sampler.snapshot();
        assertTrue(r.source(SourceStatus.NETNS).isEmpty(), "no namespace asked for");
        assertTrue(r.source(SourceStatus.NETSTAT).orElseThrow().available(), r.sources().toString());
        assertTrue(counters.contains("ListenOverflows") && counters.contains("OutRsts"),
                "TcpExt and Tcp counters told: " + counters);
        assertTrue(r.samples() >= 2, "a first and a last sample");
    }
}
