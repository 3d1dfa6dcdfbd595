package io.synscope.kernel;

import io.synscope.capture.CaptureException;
import io.synscope.capture.Netns;
import io.synscope.capture.Printable;

import java.io.FileInputStream;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * Samples the kernel's view of one network namespace on a thread of its own: every listening
 * TCP socket's accept queue and backlog and its request sockets (NETLINK_SOCK_DIAG), and the Tcp
 * and TcpExt counters, every {@link KernelConfig#sampleIntervalMillis}; the listen-queue sysctls
 * once at start. The thread enters the namespace itself and opens every source there, so each
 * sees that namespace whatever thread asks the sampler.
 *
 * <p>Each source degrades alone: one that cannot be opened, or fails later, is marked
 * unavailable with its reason (reported once to the status listener) and the others go on.
 * Nothing is thrown out of the thread. Thread-safe: the sampler thread and any number of
 * {@link #snapshot} readers share one lock, held for a sample (well under a millisecond with a
 * few listeners).
 *
 * <p>The sampler keeps only how it is doing ({@link KernelReport}: its sources, the sysctls,
 * its samples and their cost); what the kernel said is handed to the {@link SampleSink} at
 * every sample, and kept and summarised there (the live pipeline's kernel log).
 */
public final class KernelSampler implements AutoCloseable {
    /** The sysctls read at start, by their sysctl names. */
    public static final List<String> SYSCTLS = List.of(
            "net.core.somaxconn",
            "net.ipv4.tcp_max_syn_backlog",
            "net.ipv4.tcp_syncookies",
            "net.ipv4.tcp_abort_on_overflow",
            "net.ipv4.tcp_synack_retries",
            "net.ipv4.tcp_syn_retries");
    /**
     * The calling thread's namespace: {@code /proc/net} is the process's first thread's, which
     * setns on another thread does not move (measured, docs/kernel.md).
     */
    static final Path PROC_NET = Path.of("/proc/thread-self/net");
    private static final long START_TIMEOUT_SECONDS = 10;
    private static final long STOP_TIMEOUT_SECONDS = 10;

    private final KernelConfig config;
    private final Consumer<SourceStatus> statusListener;
    /** Set to {@link SampleSink#NONE} once it has thrown. */
    private SampleSink sink;
    private final Thread thread;
    private final CountDownLatch firstSample = new CountDownLatch(1);
    private final CountDownLatch stop = new CountDownLatch(1);
    private final Object lock = new Object();
    private final ThreadMXBean threads = ManagementFactory.getThreadMXBean();

    // Everything below is guarded by lock.
    private final Map<String, SourceStatus> sources = new LinkedHashMap<>();
    private final Map<String, Long> sysctls = new LinkedHashMap<>();
    private final ListenerBook book;
    private SockDiag sockDiag;
    private ProcNetFile netstat;
    private ProcNetFile snmp;
    private long samples;
    private long lateSamples;
    private long firstSampleNanos;
    private long lastSampleNanos;
    private long lastSynRecvNanos;
    private long cpuNanos = -1;

    private final InetDiagParser.Sink listenerSink;
    private final InetDiagParser.Sink synRecvSink;

    private KernelSampler(KernelConfig config, Consumer<SourceStatus> statusListener, SampleSink sink) {
        this.config = config;
        this.statusListener = statusListener;
        this.sink = sink;
        this.book = new ListenerBook(config.maxListeners());
        this.listenerSink = book::listener;
        this.synRecvSink = book::synRecv;
        this.thread = new Thread(this::run, "synscope-kernel");
        this.thread.setDaemon(true);
    }

    /**
     * Starts sampling and returns once the first sample is taken (or every source has failed),
     * so that the first sample is the baseline of what follows.
     *
     * @param statusListener told, on the sampler thread, of each source that is unavailable or
     *                       stops working (once each); it must not block
     * @param sink           told every sample's readings, on the sampler thread
     */
    public static KernelSampler start(KernelConfig config, Consumer<SourceStatus> statusListener,
                                      SampleSink sink) {
        KernelSampler s = new KernelSampler(config, statusListener, sink);
        s.thread.start();
        try {
            s.firstSample.await(START_TIMEOUT_SECONDS, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        return s;
    }

    /** {@link #start(KernelConfig, Consumer, SampleSink)} with nobody told anything. */
    public static KernelSampler start(KernelConfig config) {
        return start(config, status -> { }, SampleSink.NONE);
    }

    private void run() {
        try {
            if (open()) {
                long intervalNanos = TimeUnit.MILLISECONDS.toNanos(config.sampleIntervalMillis());
                long next = System.nanoTime();
                while (true) {
                    sample(false);
                    firstSample.countDown();
                    next += intervalNanos;
                    long wait = next - System.nanoTime();
                    if (wait < 0) {
                        // Behind (a long sample, a busy machine): skip the missed ticks.
                        long missed = -wait / intervalNanos + 1;
                        synchronized (lock) {
                            lateSamples += missed;
                        }
                        next += missed * intervalNanos;
                        wait = next - System.nanoTime();
                    }
                    if (stop.await(Math.max(0, wait), TimeUnit.NANOSECONDS)) {
                        sample(true); // the last one: the run's end
                        break;
                    }
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (RuntimeException | LinkageError e) {
            synchronized (lock) {
                for (SourceStatus s : new ArrayList<>(sources.values())) {
                    unavailable(s.name(), "the sampler stopped: " + e);
                }
            }
        } finally {
            synchronized (lock) {
                closeSources();
            }
            firstSample.countDown();
        }
    }

    /** Enters the namespace and opens every source; false when none can be read. */
    private boolean open() {
        synchronized (lock) {
            if (!Files.isDirectory(PROC_NET)) {
                String why = "not Linux, or a kernel without /proc/thread-self (Linux 3.17+)";
                for (String name : List.of(SourceStatus.SOCK_DIAG, SourceStatus.SYSCTLS,
                        SourceStatus.NETSTAT, SourceStatus.SNMP)) {
                    unavailable(name, why);
                }
                return false;
            }
            if (config.netns() != null) {
                try {
                    Netns.enter(config.netns());
                    available(SourceStatus.NETNS, "entered " + config.netns());
                } catch (CaptureException | RuntimeException | LinkageError e) {
                    String why = "cannot enter network namespace " + config.netns() + ": " + e.getMessage();
                    unavailable(SourceStatus.NETNS, why);
                    for (String name : List.of(SourceStatus.SOCK_DIAG, SourceStatus.SYSCTLS,
                            SourceStatus.NETSTAT, SourceStatus.SNMP)) {
                        unavailable(name, "the namespace could not be entered");
                    }
                    return false;
                }
            }
            try {
                sockDiag = SockDiag.open();
                available(SourceStatus.SOCK_DIAG, "listen queues every " + config.sampleIntervalMillis()
                        + " ms and SYN_RECV sockets every " + config.synRecvIntervalMillis()
                        + " ms, NETLINK_SOCK_DIAG");
            } catch (KernelSourceException e) {
                unavailable(SourceStatus.SOCK_DIAG, e.getMessage());
            }
            readSysctls();
            netstat = openCounters(SourceStatus.NETSTAT, "netstat", "TcpExt");
            snmp = openCounters(SourceStatus.SNMP, "snmp", "Tcp");
            return sockDiag != null || netstat != null || snmp != null;
        }
    }

    private ProcNetFile openCounters(String source, String file, String group) {
        try {
            ProcNetFile f = ProcNetFile.open(PROC_NET.resolve(file), group);
            available(source, group + " counters, /proc/net/" + file + ", every "
                    + config.sampleIntervalMillis() + " ms");
            return f;
        } catch (KernelSourceException e) {
            unavailable(source, e.getMessage());
            return null;
        }
    }

    private void readSysctls() {
        List<String> missing = new ArrayList<>();
        for (String name : SYSCTLS) {
            Path path = Path.of("/proc/sys", name.replace('.', '/'));
            // Through a stream: Files.readAllBytes on a /proc/sys file returned "4" for "4096"
            // here (JDK 17.0.15), trusting a size that procfs does not give.
            try (FileInputStream in = new FileInputStream(path.toFile())) {
                sysctls.put(name, Long.parseLong(new String(in.readAllBytes(), StandardCharsets.US_ASCII).trim()));
            } catch (IOException | NumberFormatException | SecurityException e) {
                missing.add(name + " (" + e.getMessage() + ")");
            }
        }
        if (missing.isEmpty()) {
            available(SourceStatus.SYSCTLS, "read once at start from /proc/sys");
        } else if (missing.size() < SYSCTLS.size()) {
            available(SourceStatus.SYSCTLS, "read once at start from /proc/sys; cannot read "
                    + String.join(", ", missing));
        } else {
            unavailable(SourceStatus.SYSCTLS, "cannot read " + String.join(", ", missing));
        }
    }

    /** One sample; the request sockets are counted when due, and at the {@code last} one. */
    private void sample(boolean last) {
        long ts = realtimeNanos();
        synchronized (lock) {
            boolean listenersRead = false;
            if (sockDiag != null) {
                book.begin();
                try {
                    sockDiag.dump(1 << SockDiag.TCP_LISTEN, listenerSink);
                    if (last || samples == 0 || ts - lastSynRecvNanos
                            >= TimeUnit.MILLISECONDS.toNanos(config.synRecvIntervalMillis())) {
                        book.beginSynRecv();
                        sockDiag.dump(1 << SockDiag.TCP_SYN_RECV, synRecvSink);
                        book.endSynRecv();
                        lastSynRecvNanos = ts;
                    }
                    book.end();
                    listenersRead = true;
                } catch (KernelSourceException | RuntimeException | LinkageError e) {
                    sockDiag.close();
                    sockDiag = null;
                    unavailable(SourceStatus.SOCK_DIAG, "stopped at " + Instant.ofEpochSecond(0, ts)
                            + ": " + (e instanceof KernelSourceException ? e.getMessage() : e.toString()));
                }
            }
            readCounters(SourceStatus.NETSTAT, netstat, ts);
            readCounters(SourceStatus.SNMP, snmp, ts);
            tell(ts, listenersRead);
            if (samples == 0) {
                firstSampleNanos = ts;
            }
            samples++;
            lastSampleNanos = ts;
            if (threads.isCurrentThreadCpuTimeSupported()) {
                cpuNanos = threads.getCurrentThreadCpuTime();
            }
        }
    }

    /** Tells the sink this sample's readings; a sink that throws is told no more. */
    private void tell(long ts, boolean listenersRead) {
        if (sink == SampleSink.NONE) {
            return;
        }
        try {
            sink.sample(ts);
            if (listenersRead) {
                book.tellSeen(sink);
            }
            tellCounters(netstat, SourceStatus.NETSTAT);
            tellCounters(snmp, SourceStatus.SNMP);
            sink.sampled(ts);
        } catch (RuntimeException e) {
            sink = SampleSink.NONE;
            unavailable(SourceStatus.SAMPLE_SINK, "the sample sink failed and is no longer told: " + e);
        }
    }

    private void tellCounters(ProcNetFile file, String source) {
        if (file != null && sources.get(source).available()) {
            String[] names = file.names();
            long[] values = file.values();
            for (int i = 0; i < names.length; i++) {
                sink.counter(names[i], values[i]);
            }
        }
    }

    private void readCounters(String source, ProcNetFile file, long ts) {
        if (file == null || !sources.get(source).available()) {
            return;
        }
        try {
            file.read();
        } catch (KernelSourceException | RuntimeException e) {
            file.close();
            unavailable(source, "stopped at " + Instant.ofEpochSecond(0, ts) + ": "
                    + (e instanceof KernelSourceException ? e.getMessage() : e.toString()));
        }
    }

    private void available(String name, String what) {
        sources.put(name, new SourceStatus(name, true, Printable.escape(what)));
    }

    /** Marks a source unavailable and tells the listener, once per source. */
    private void unavailable(String name, String why) {
        SourceStatus before = sources.get(name);
        if (before != null && !before.available()) {
            return;
        }
        SourceStatus status = new SourceStatus(name, false, Printable.escape(why));
        sources.put(name, status);
        try {
            statusListener.accept(status);
        } catch (RuntimeException e) {
            // The listener's failure is its own; sampling goes on.
        }
    }

    private void closeSources() {
        if (sockDiag != null) {
            sockDiag.close();
            sockDiag = null;
        }
        if (netstat != null) {
            netstat.close();
            netstat = null;
        }
        if (snmp != null) {
            snmp.close();
            snmp = null;
        }
    }

    /** CLOCK_REALTIME in nanoseconds, the clock of live pcap timestamps. */
    public static long realtimeNanos() {
        Instant now = Instant.now();
        return now.getEpochSecond() * 1_000_000_000L + now.getNano();
    }

    /** How the sampler is doing so far. */
    public KernelReport snapshot() {
        synchronized (lock) {
            return new KernelReport(new ArrayList<>(sources.values()), sysctls,
                    book.notKeptPeak(), book.closedDropped(), samples, lateSamples,
                    firstSampleNanos, lastSampleNanos, cpuNanos);
        }
    }

    /** The configuration this sampler runs with. */
    public KernelConfig config() {
        return config;
    }

    /** Takes a last sample, stops the thread and closes every source. Idempotent. */
    @Override
    public void close() {
        stop.countDown();
        try {
            thread.join(TimeUnit.SECONDS.toMillis(STOP_TIMEOUT_SECONDS));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
