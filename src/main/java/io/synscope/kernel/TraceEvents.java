package io.synscope.kernel;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.InetAddress;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Locale;
import java.util.OptionalLong;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Predicate;

/**
 * Per-connection kernel events from a private tracefs instance: {@code tcp:tcp_send_reset}
 * (the reset's 4-tuple, socket state and reason), {@code tcp:tcp_retransmit_synack} (each
 * SYN-ACK the kernel resends) and {@code skb:kfree_skb} filtered in the kernel to
 * {@code TCP_LISTEN_OVERFLOW} (each handshake ACK dropped because the accept queue was full).
 *
 * <p>{@link #open} never throws: each part that cannot work here (no tracefs, no permission, an
 * event this kernel lacks, a reset without a reason before 6.10, a filter the kernel refuses)
 * becomes one {@link TraceStatus} and the rest goes on. A daemon thread reads the instance's
 * {@code trace_pipe}, parses each line into a {@link KernelEvent} on the packets' clock
 * ({@link TraceClock}), keeps those the caller's filter accepts (events are global across
 * network namespaces) in a store of at most {@link TraceConfig#maxEvents()}, and counts the
 * rest ({@link #counts()}). Nothing escapes that thread: a failure there becomes a status.
 *
 * <p>{@link #close} (or the shutdown hook, on Ctrl-C or SIGTERM) stops the thread and removes
 * the instance; {@link #open} removes instances that runs of dead processes left behind.
 * Thread-safe: {@link #drainTo}, {@link #counts} and {@link #statuses} may be called from any
 * thread while the reader runs.
 */
public final class TraceEvents implements AutoCloseable {
    private static final String MARKER = "synscope-clock ";
    private static final String MARK_EVENT = "tracing_mark_write";
    private static final long JOIN_MILLIS = 2_000;

    private final TraceConfig config;
    private final Predicate<KernelEvent> keep;
    private final List<TraceStatus> statuses = new CopyOnWriteArrayList<>();
    private final BlockingQueue<KernelEvent> store;
    private final AtomicLong parsed = new AtomicLong();
    private final AtomicLong kept = new AtomicLong();
    private final AtomicLong filteredOut = new AtomicLong();
    private final AtomicLong overCap = new AtomicLong();
    private final AtomicLong unparsed = new AtomicLong();
    private final AtomicLong lostInKernel = new AtomicLong();
    /** Marker number → its trace timestamp, filled by the reader during calibration. */
    private final ConcurrentHashMap<Integer, Long> markerStamps = new ConcurrentHashMap<>();
    private volatile CountDownLatch markersBack = new CountDownLatch(0);
    private final Thread shutdownHook = new Thread(this::teardown, "synscope-trace-teardown");
    private TraceInstance instance;
    private FileChannel pipe;
    private Thread reader;
    private volatile TraceClock clock;
    private volatile boolean closing;
    /** Shared addresses and names of the events (reader thread only). */
    private final TraceNames names = new TraceNames();
    /** Whether a line has failed already (said once; reader thread only). */
    private boolean lineFailed;
    private boolean closed;

    private TraceEvents(TraceConfig config, Predicate<KernelEvent> keep) {
        this.config = config;
        this.keep = keep;
        this.store = new ArrayBlockingQueue<>(Math.max(1, config.maxEvents()));
    }

    /**
     * Opens an instance and starts reading it. Never throws; see {@link #statuses()} for what
     * works. {@code keep} decides which events are kept (e.g. {@link #involving}); it runs on the
     * reader thread and must be thread-safe.
     */
    public static TraceEvents open(TraceConfig config, Predicate<KernelEvent> keep) {
        TraceEvents t = new TraceEvents(config, keep);
        t.start();
        return t;
    }

    /**
     * A filter keeping events whose source or destination is one of {@code addresses} (the
     * captured namespace's, or those seen in the capture), and the events that carry no address
     * at all (kfree_skb: tie those to packets by time).
     */
    public static Predicate<KernelEvent> involving(Collection<InetAddress> addresses) {
        List<InetAddress> copy = List.copyOf(addresses);
        return e -> (e.src() == null && e.dst() == null) || copy.stream().anyMatch(e::involves);
    }

    /** What works and what does not, each said once; the list grows only if the reader fails. */
    public List<TraceStatus> statuses() {
        return List.copyOf(statuses);
    }

    /** Whether any event is being read. */
    public boolean running() {
        Thread r = reader;
        return r != null && r.isAlive();
    }

    /** The clock conversion in use; null when nothing is traced. */
    public TraceClock clock() {
        return clock;
    }

    /** The instance's directory (for {@code cat …/trace_pipe} by hand); null without one. */
    public Path instanceDir() {
        return instance == null ? null : instance.dir();
    }

    /** Moves the events kept so far to {@code into}, oldest first; returns how many. */
    public int drainTo(Collection<? super KernelEvent> into) {
        return store.drainTo(into);
    }

    public TraceCounts counts() {
        return new TraceCounts(parsed.get(), kept.get(), filteredOut.get(), overCap.get(),
                unparsed.get(), lostInKernel.get());
    }

    // ---- opening ------------------------------------------------------------------------

    private void start() {
        Path root = config.tracefs();
        boolean[] mounted = {false};
        String why = TraceInstance.ensureMounted(root, mounted);
        if (why != null) {
            say("tracefs", false, why);
            return;
        }
        List<String> stale = TraceInstance.removeStale(root);
        try {
            instance = TraceInstance.create(root);
        } catch (IOException e) {
            say("tracefs", false, "cannot create an instance under " + root.resolve("instances")
                    + " (needs root or CAP_SYS_ADMIN/CAP_PERFMON): " + e);
            return;
        }
        Runtime.getRuntime().addShutdownHook(shutdownHook);
        say("tracefs", true, "instance " + instance.dir()
                + (mounted[0] ? "; mounted tracefs at " + root + " (it was not mounted)" : "")
                + (stale.isEmpty() ? "" : "; removed instances left by dead runs: "
                + String.join(", ", stale)));
        try {
            instance.write("buffer_size_kb", Integer.toString(bufferKbPerCpu()));
            chooseClock();
            pipe = FileChannel.open(instance.dir().resolve("trace_pipe"), StandardOpenOption.READ);
        } catch (IOException e) {
            say("tracefs", false, "cannot set up " + instance.dir() + ": " + e);
            clock = null;
            teardown();
            return;
        }
        reader = new Thread(this::readLoop, "synscope-trace-reader");
        reader.setDaemon(true);
        reader.start();
        calibrate();
        for (String event : config.events()) {
            enable(event);
        }
    }

    /** The configured size per CPU, less when the CPUs together would exceed the total. */
    private int bufferKbPerCpu() throws IOException {
        long cpus;
        try (var d = Files.list(instance.dir().resolve("per_cpu"))) {
            cpus = Math.max(1, d.count());
        }
        return (int) Math.max(4, Math.min(config.bufferSizeKb(), config.bufferTotalKb() / cpus));
    }

    private void chooseClock() throws IOException {
        String offered = instance.read("trace_clock");
        for (String c : config.clocks()) {
            if ((" " + offered.replace('[', ' ').replace(']', ' ') + " ").contains(" " + c + " ")) {
                instance.write("trace_clock", c);
                clock = new TraceClock(c, 0, 0, false);
                return;
            }
        }
        throw new IOException("none of the clocks " + config.clocks() + " is offered ("
                + offered.strip() + ")");
    }

    /**
     * Writes markers, each between two realtime readings, and keeps the narrowest. Says once
     * how the clock stands. Without a marker back, events still flow (their reasons and
     * 4-tuples hold) with the unmeasured clock: {@link TraceClock#measured()} is false and their
     * times are not the packets'.
     */
    private void calibrate() {
        int n = config.calibrationMarkers();
        long[] before = new long[n];
        long[] after = new long[n];
        markersBack = new CountDownLatch(n);
        String failed = null;
        try (OutputStream marker = Files.newOutputStream(instance.dir().resolve("trace_marker"),
                StandardOpenOption.WRITE)) {
            for (int i = 0; i < n; i++) {
                byte[] text = (MARKER + i + "\n").getBytes(StandardCharsets.US_ASCII);
                before[i] = realtimeNanos();
                marker.write(text);
                after[i] = realtimeNanos();
            }
            markersBack.await(config.calibrationMillis(), TimeUnit.MILLISECONDS);
        } catch (IOException e) {
            failed = "cannot write " + instance.dir().resolve("trace_marker") + ": " + e;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            failed = "interrupted while measuring it";
        }
        long bestWidth = Long.MAX_VALUE;
        long offset = 0;
        for (int i = 0; i < n; i++) {
            Long stamp = markerStamps.get(i);
            if (stamp != null && after[i] - before[i] < bestWidth) {
                bestWidth = after[i] - before[i];
                offset = before[i] + bestWidth / 2 - stamp;
            }
        }
        if (bestWidth == Long.MAX_VALUE) {
            say("clock", false, "trace clock " + clock.name() + " not measured ("
                    + (failed != null ? failed : "no marker came back through trace_pipe within "
                    + config.calibrationMillis() + " ms") + "): event times are not the packets'");
            return;
        }
        // The printed stamp is cut to the microsecond: up to 1 µs more.
        clock = new TraceClock(clock.name(), offset, bestWidth / 2 + 1_000, true);
        say("clock", true, clock.describe());
    }

    private static long realtimeNanos() {
        Instant now = Instant.now();
        return now.getEpochSecond() * 1_000_000_000L + now.getNano();
    }

    private void enable(String event) {
        String source = event.replace('/', ':');
        String dir = "events/" + event + "/";
        if (!instance.exists(dir + "enable")) {
            say(source, false, "the event is not in this kernel");
            return;
        }
        TraceFormat format;
        try {
            format = TraceFormat.parse(instance.read(dir + "format"));
        } catch (IOException e) {
            say(source, false, "cannot read its format: " + e);
            return;
        }
        String how = "enabled";
        if (event.endsWith(KernelEvent.KFREE_SKB)) {
            String filter = listenOverflowFilter(dir, format);
            if (filter == null) {
                return;
            }
            how += ", filtered in the kernel: " + filter;
        } else if (event.endsWith(KernelEvent.SEND_RESET) && !format.hasField("reason")) {
            how += "; this kernel gives no reset reason (it came with Linux 6.10): 4-tuple and"
                    + " state only";
        }
        try {
            instance.write(dir + "enable", "1");
            say(source, true, how);
        } catch (IOException e) {
            say(source, false, "cannot enable it: " + e);
        }
    }

    /**
     * kfree_skb fires for every packet freed with a reason: without a filter in the kernel it
     * would trace every drop on the machine. The filter by name is tried first (later kernels
     * may take it), then by this kernel's number for the name (6.18 takes only that). Returns
     * the filter set, or null (event left off, said why) when the kernel takes neither.
     */
    private String listenOverflowFilter(String dir, TraceFormat format) {
        if (!format.hasField("reason")) {
            say("skb:kfree_skb", false, "this kernel gives no drop reason (it came with Linux"
                    + " 5.17): left off, it would trace every freed packet");
            return null;
        }
        List<String> tries = new ArrayList<>();
        tries.add("reason == " + KernelEvent.LISTEN_OVERFLOW);
        OptionalLong number = format.number("reason", KernelEvent.LISTEN_OVERFLOW);
        number.ifPresent(n -> tries.add("reason == " + n));
        for (String f : tries) {
            try {
                instance.write(dir + "filter", f);
                return f;
            } catch (IOException refused) {
                // The next form.
            }
        }
        say("skb:kfree_skb", false, "the kernel refused the filter " + String.join(" and ", tries)
                + (number.isEmpty() ? " (its format names no " + KernelEvent.LISTEN_OVERFLOW + ")"
                : "") + ": left off, it would trace every freed packet");
        return null;
    }

    private void say(String source, boolean available, String why) {
        statuses.add(new TraceStatus(source, available, why));
    }

    // ---- reading ------------------------------------------------------------------------

    private void readLoop() {
        try (BufferedReader in = new BufferedReader(new InputStreamReader(
                Channels.newInputStream(pipe), StandardCharsets.UTF_8), 1 << 16)) {
            String line;
            while (!closing && (line = in.readLine()) != null) {
                try {
                    handle(line);
                } catch (RuntimeException e) {
                    // A line that broke the parser or the caller's filter: counted, said once,
                    // and the next line is read.
                    unparsed.incrementAndGet();
                    if (!lineFailed) {
                        lineFailed = true;
                        say("trace_pipe", true, "a line could not be handled (" + e
                                + "); such lines are counted as not understood");
                    }
                }
            }
        } catch (IOException e) {
            if (!closing) {
                say("trace_pipe", false, "reading stopped: " + e);
            }
        } catch (RuntimeException | Error e) {
            // Never out of this thread: say it once, the capture goes on without events.
            say("trace_pipe", false, "reading stopped: " + e);
        }
    }

    private void handle(String line) {
        TraceLine t = TraceLine.parse(line);
        switch (t.kind()) {
            case LOST -> lostInKernel.addAndGet(t.lost());
            case OTHER -> unparsed.incrementAndGet();
            case EVENT -> {
                if (t.name().equals(MARK_EVENT)) {
                    marker(t);
                    return;
                }
                KernelEvent e = t.toEvent(clock.toRealtime(t.traceNanos()), names);
                if (e == null) {
                    unparsed.incrementAndGet();
                    return;
                }
                parsed.incrementAndGet();
                if (!keep.test(e)) {
                    filteredOut.incrementAndGet();
                } else if (store.offer(e)) {
                    kept.incrementAndGet();
                } else {
                    overCap.incrementAndGet();
                }
            }
        }
    }

    private void marker(TraceLine t) {
        String p = t.payload();
        if (p.startsWith(MARKER)) {
            try {
                markerStamps.put(Integer.parseInt(p.substring(MARKER.length()).strip()),
                        t.traceNanos());
                markersBack.countDown();
                return;
            } catch (NumberFormatException e) {
                // Not one of ours after all.
            }
        }
        unparsed.incrementAndGet();
    }

    // ---- closing ------------------------------------------------------------------------

    /** Stops reading and removes the instance; what was kept stays drainable. */
    @Override
    public void close() {
        teardown();
        try {
            Runtime.getRuntime().removeShutdownHook(shutdownHook);
        } catch (IllegalStateException | IllegalArgumentException e) {
            // Shutting down already, or never registered.
        }
    }

    private synchronized void teardown() {
        if (closed) {
            return;
        }
        closed = true;
        closing = true;
        Thread r = reader;
        if (r != null) {
            // A blocked read of trace_pipe returns when its channel is closed by the interrupt.
            r.interrupt();
            try {
                r.join(JOIN_MILLIS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        try {
            if (pipe != null) {
                pipe.close();
            }
        } catch (IOException e) {
            // Closing a read-only file: nothing to lose.
        }
        if (instance != null) {
            String why = instance.remove();
            if (why != null) {
                say("tracefs", false, why);
            }
        }
    }

    /** For a status line: e.g. {@code kernel events: 12 kept, 3 other addresses, 0 lost}. */
    public String describeCounts() {
        TraceCounts c = counts();
        return String.format(Locale.ROOT, "kernel events: %d kept, %d of other addresses, %d over"
                        + " the cap of %d, %d lost in the kernel's buffer, %d lines not understood",
                c.kept(), c.filteredOut(), c.overCap(), config.maxEvents(), c.lostInKernel(),
                c.unparsed());
    }
}
