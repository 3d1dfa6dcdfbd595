package io.synscope.pipeline;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.synscope.capture.Addresses;
import io.synscope.capture.CapturePart;
import io.synscope.capture.Captures;

import java.io.IOException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A {@link KernelLog} as text, to travel with the packets: {@code synscope live -w FILE.pcapng}
 * attaches it to the file (kind {@value #ATTACHMENT_KIND}), and {@code synscope analyze FILE}
 * reads it back, so a support engineer gets the kernel's evidence with the customer's capture.
 * The format is documented in docs/kernel.md ("The recorded evidence").
 *
 * <p>What it reads back is input like any capture: a document that does not parse, or breaks a
 * rule (times out of order, an index out of range, an address that is not a literal), is
 * refused with a message and the analysis goes on from the packets alone.
 */
public final class KernelDocument {
    public static final String ATTACHMENT_KIND = "kernel";
    static final int VERSION = 1;
    /**
     * Built on first use only: Jackson's databind costs some 0.2 s of start-up and 10 MiB, which
     * an analysis without kernel evidence (nearly all of them) must not pay.
     */
    private static final class Json {
        static final ObjectMapper MAPPER = new ObjectMapper()
                .configure(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES, false);
    }

    private KernelDocument() {
    }

    /**
     * @param listenersReadUpTo the last sample whose listeners were read (sock_diag may stop)
     * @param counters          the failure-related counters, sample by sample
     * @param counterTotals     every counter's first and latest value
     * @param recordingStarts   the samples at which a later recording begins, when the
     *                          document merges several files' (null: one recording)
     */
    record Doc(int version, List<String> sources, Map<String, String> missing,
               Map<String, Long> sysctls, @JsonProperty("sample_times_ns") long[] sampleTimes,
               @JsonProperty("listeners_read_up_to") int listenersReadUpTo,
               List<ListenerDoc> listeners, Map<String, SeriesDoc> counters,
               @JsonProperty("counter_totals") Map<String, long[]> counterTotals,
               List<ResetDoc> resets, long dropped,
               @JsonInclude(JsonInclude.Include.NON_NULL)
               @JsonProperty("recording_starts") int[] recordingStarts) {
    }

    record ListenerDoc(String ip, int port, int[] samples, int[] depth, int[] backlog,
                       @JsonProperty("syn_recv") int[] synRecv) {
    }

    record SeriesDoc(int[] samples, long[] values) {
    }

    record ResetDoc(@JsonProperty("time_ns") long tsNanos, String src,
                    @JsonProperty("src_port") int srcPort, String dst,
                    @JsonProperty("dst_port") int dstPort, String state, String reason) {
    }

    /**
     * The kernel evidence recorded with a capture file ({@link Captures#attachments}), or null
     * when it has none. Evidence that cannot be read gives a log with no evidence and the
     * reason under its missing sources, so that the report says why it has none.
     */
    public static KernelLog fromCapture(String path) {
        String text = Captures.attachments(path).get(ATTACHMENT_KIND);
        if (text == null) {
            return null;
        }
        try {
            return read(text);
        } catch (IOException e) {
            KernelLog none = new KernelLog();
            none.sourceMissing("recorded evidence", "the kernel evidence recorded in the file"
                    + " cannot be read: " + e.getMessage());
            return none;
        }
    }

    /**
     * The kernel evidence recorded with several capture files read as one (each written by its
     * own {@code live -w} run), merged into one log in time order, or null when none has any.
     * Each file's samples stay within their own recording (no window of the classifier spans
     * two), the counters' rises over the capture are the sum of each recording's, and a file
     * whose samples overlap an earlier one's in time (two recordings of one period) gives its
     * resets only, said under the missing sources. Evidence that cannot be read is said there
     * too; the other files' is used.
     */
    public static KernelLog fromCaptures(List<CapturePart> parts) {
        List<Doc> docs = new ArrayList<>();
        List<String> names = new ArrayList<>();
        Map<String, String> problems = new LinkedHashMap<>();
        for (CapturePart part : parts) {
            String text = Captures.attachments(part.name()).get(ATTACHMENT_KIND);
            if (text == null) {
                continue;
            }
            try {
                Doc d = parse(text);
                read(d);
                docs.add(d);
                names.add(part.name());
            } catch (IOException e) {
                problems.put("recorded evidence of " + part.name(), "the kernel evidence"
                        + " recorded in the file cannot be read: " + e.getMessage());
            }
        }
        if (docs.isEmpty() && problems.isEmpty()) {
            return null;
        }
        try {
            KernelLog log = docs.isEmpty() ? new KernelLog() : read(merge(docs, names, problems));
            problems.forEach(log::sourceMissing);
            return log;
        } catch (IOException e) {
            KernelLog none = new KernelLog();
            none.sourceMissing("recorded evidence", "the kernel evidence recorded in the files"
                    + " cannot be merged: " + e.getMessage());
            return none;
        }
    }

    /**
     * Documents that each read on their own, as one: in the order of their first samples, each
     * sample index moved past the samples of those before it.
     */
    static Doc merge(List<Doc> docs, List<String> names, Map<String, String> problems) {
        List<Integer> order = new ArrayList<>();
        for (int i = 0; i < docs.size(); i++) {
            order.add(i);
        }
        order.sort(Comparator.comparingLong(i -> firstSample(docs.get(i))));
        List<Long> times = new ArrayList<>();
        List<Integer> starts = new ArrayList<>();
        Map<String, MergedSeries> listeners = new LinkedHashMap<>();
        Map<String, MergedSeries> counters = new LinkedHashMap<>();
        Map<String, long[]> totals = new LinkedHashMap<>();
        List<String> sources = new ArrayList<>();
        Map<String, String> missing = new LinkedHashMap<>();
        Map<String, Long> sysctls = new LinkedHashMap<>();
        List<ResetDoc> resets = new ArrayList<>();
        long dropped = 0;
        int readUpTo = -1;
        boolean readingStopped = false;
        for (int i : order) {
            Doc d = docs.get(i);
            list(d.sources()).forEach(x -> {
                if (!sources.contains(x)) {
                    sources.add(x);
                }
            });
            map(d.missing()).forEach(missing::putIfAbsent);
            sysctls.putAll(map(d.sysctls()));
            resets.addAll(list(d.resets()));
            dropped += Math.max(0, d.dropped());
            long[] t = d.sampleTimes() == null ? new long[0] : d.sampleTimes();
            if (t.length == 0) {
                continue;
            }
            if (!times.isEmpty() && t[0] < times.get(times.size() - 1)) {
                problems.put("recorded evidence of " + names.get(i), "its samples overlap an"
                        + " earlier file's in time: its listen queues and counters are not used");
                continue;
            }
            int offset = times.size();
            if (offset > 0) {
                starts.add(offset);
            }
            for (long x : t) {
                times.add(x);
            }
            // A listener this recording does not list at its first sample was not listening
            // then, whatever an earlier recording last saw: closed from the recording's start,
            // as the file alone would have it, so no earlier queue holds into its windows.
            Set<String> listedAtStart = new HashSet<>();
            for (ListenerDoc l : list(d.listeners())) {
                String key = l.ip() + " " + l.port();
                if (l.samples() != null && l.samples().length > 0 && l.samples()[0] == 0) {
                    listedAtStart.add(key);
                }
            }
            listeners.forEach((key, m) -> {
                if (!listedAtStart.contains(key)) {
                    m.closeAt(offset);
                }
            });
            for (ListenerDoc l : list(d.listeners())) {
                listeners.computeIfAbsent(l.ip() + " " + l.port(), k -> new MergedSeries(l.ip(),
                        l.port())).addListener(l, offset);
            }
            // Each recording's values moved to go on from the latest before it: a rise over
            // the whole is the sum of each recording's, not counting what the kernel counted
            // between them.
            Map<String, Long> shifts = new LinkedHashMap<>();
            map(d.counterTotals()).forEach((name, fl) -> {
                long[] sum = totals.computeIfAbsent(name, k -> new long[] {fl[0], fl[0]});
                long shift = sum[1] - fl[0];
                shifts.put(name, shift);
                sum[1] = fl[1] + shift;
            });
            map(d.counters()).forEach((name, c) -> counters.computeIfAbsent(name,
                    k -> new MergedSeries(name, 0)).addCounter(c, offset,
                    shifts.getOrDefault(name, 0L)));
            if (!readingStopped) {
                readUpTo = offset + d.listenersReadUpTo();
                // Listeners not read to the end of this recording: unknown from there on.
                readingStopped = d.listenersReadUpTo() < t.length - 1;
            }
        }
        List<ListenerDoc> ls = new ArrayList<>();
        listeners.values().forEach(m -> ls.add(m.listener()));
        Map<String, SeriesDoc> cs = new LinkedHashMap<>();
        counters.forEach((name, m) -> cs.put(name, m.counter()));
        resets.sort(Comparator.comparingLong(ResetDoc::tsNanos));
        return document(sources, missing, sysctls,
                times.stream().mapToLong(Long::longValue).toArray(), readUpTo, ls, cs, totals,
                resets, dropped, starts.isEmpty() ? null
                        : starts.stream().mapToInt(Integer::intValue).toArray());
    }

    private static long firstSample(Doc d) {
        return d.sampleTimes() == null || d.sampleTimes().length == 0 ? Long.MAX_VALUE
                : d.sampleTimes()[0];
    }

    /** One listener's or counter's changes gathered from several documents. */
    private static final class MergedSeries {
        final String ip;
        final int port;
        final List<Integer> samples = new ArrayList<>();
        final List<int[]> listenerValues = new ArrayList<>();
        final List<Long> counterValues = new ArrayList<>();

        MergedSeries(String ip, int port) {
            this.ip = ip;
            this.port = port;
        }

        void addListener(ListenerDoc l, int offset) {
            for (int k = 0; k < l.samples().length; k++) {
                samples.add(offset + l.samples()[k]);
                listenerValues.add(new int[] {l.depth()[k], l.backlog()[k], l.synRecv()[k]});
            }
        }

        /**
         * A closing ({@link KernelLog#CLOSED}) at sample {@code index}, unless the listener is
         * closed already (or has no change yet).
         */
        void closeAt(int index) {
            int last = listenerValues.size() - 1;
            if (last >= 0 && listenerValues.get(last)[0] != KernelLog.CLOSED) {
                samples.add(index);
                listenerValues.add(new int[] {KernelLog.CLOSED, listenerValues.get(last)[1], 0});
            }
        }

        void addCounter(SeriesDoc c, int offset, long shift) {
            for (int k = 0; k < c.samples().length; k++) {
                samples.add(offset + c.samples()[k]);
                counterValues.add(c.values()[k] + shift);
            }
        }

        ListenerDoc listener() {
            int n = samples.size();
            int[] depth = new int[n];
            int[] backlog = new int[n];
            int[] synRecv = new int[n];
            for (int k = 0; k < n; k++) {
                depth[k] = listenerValues.get(k)[0];
                backlog[k] = listenerValues.get(k)[1];
                synRecv[k] = listenerValues.get(k)[2];
            }
            return new ListenerDoc(ip, port, indices(), depth, backlog, synRecv);
        }

        SeriesDoc counter() {
            return new SeriesDoc(indices(), counterValues.stream().mapToLong(Long::longValue)
                    .toArray());
        }

        private int[] indices() {
            return samples.stream().mapToInt(Integer::intValue).toArray();
        }
    }

    /** The log as a JSON document. */
    public static String write(KernelLog log) {
        try {
            return Json.MAPPER.writeValueAsString(log.toDocument());
        } catch (IOException e) {
            throw new IllegalStateException("records always serialise", e);
        }
    }

    /**
     * The log a document describes.
     *
     * @throws IOException with what is wrong, when the text is not such a document
     */
    public static KernelLog read(String text) throws IOException {
        return read(parse(text));
    }

    static Doc parse(String text) throws IOException {
        return Json.MAPPER.readValue(text, Doc.class);
    }

    /** The log a parsed document describes, after the checks {@link #read(String)} makes. */
    private static KernelLog read(Doc d) throws IOException {
        if (d == null || d.version() != VERSION) {
            throw new IOException("kernel evidence version " + (d == null ? "none" : d.version())
                    + "; " + VERSION + " expected");
        }
        long[] times = d.sampleTimes() == null ? new long[0] : d.sampleTimes();
        if (times.length > KernelLog.MAX_SAMPLES
                || list(d.listeners()).size() > KernelLog.MAX_LISTENERS) {
            throw new IOException("more samples or listeners than a recording holds ("
                    + KernelLog.MAX_SAMPLES + ", " + KernelLog.MAX_LISTENERS + ")");
        }
        for (int i = 1; i < times.length; i++) {
            if (times[i] < times[i - 1]) {
                throw new IOException("sample " + i + " is earlier than the one before");
            }
        }
        KernelLog log = new KernelLog();
        for (String s : list(d.sources())) {
            log.sourceAvailable(present(s, "a source"));
        }
        for (Map.Entry<String, String> m : map(d.missing()).entrySet()) {
            log.sourceMissing(present(m.getKey(), "a missing source"),
                    present(m.getValue(), "why a source is missing"));
        }
        for (Map.Entry<String, Long> m : map(d.sysctls()).entrySet()) {
            log.sysctl(present(m.getKey(), "a sysctl"), present(m.getValue(), "a sysctl value"));
        }
        long total = 0;
        for (ListenerDoc x : list(d.listeners())) {
            total += x == null ? 0 : Math.max(0, length(x.samples()));
        }
        for (SeriesDoc c : map(d.counters()).values()) {
            total += c == null ? 0 : Math.max(0, length(c.samples()));
        }
        if (total > KernelLog.MAX_CHANGES) {
            throw new IOException(total + " changes; at most " + KernelLog.MAX_CHANGES
                    + " expected");
        }
        // Totals first, in the document's order; the changes below bring each sampled
        // counter's latest value up to date.
        for (Map.Entry<String, long[]> t : map(d.counterTotals()).entrySet()) {
            long[] firstLatest = present(t.getValue(), "a counter's totals");
            if (firstLatest.length != 2) {
                throw new IOException("counter " + t.getKey() + ": 2 totals expected");
            }
            log.counterTotal(present(t.getKey(), "a counter's name"), firstLatest[0],
                    firstLatest[1]);
        }
        // Every change, in sample order, replayed as the live run added them.
        List<long[]> changes = new ArrayList<>();
        List<ListenerDoc> listeners = list(d.listeners());
        List<byte[]> listenerAddresses = new ArrayList<>();
        for (int l = 0; l < listeners.size(); l++) {
            ListenerDoc x = present(listeners.get(l), "a listener");
            int n = length(x.samples());
            if (n < 0 || length(x.depth()) != n || length(x.backlog()) != n
                    || length(x.synRecv()) != n) {
                throw new IOException("listener " + l + ": series of different lengths");
            }
            listenerAddresses.add(address(x.ip(), "listener " + l));
            for (int i = 0; i < n; i++) {
                changes.add(new long[] {index(x.samples()[i], times.length, "listener " + l), 0, l, i});
            }
        }
        List<String> counterNames = new ArrayList<>(map(d.counters()).keySet());
        for (int c = 0; c < counterNames.size(); c++) {
            SeriesDoc s = d.counters().get(present(counterNames.get(c), "a counter's name"));
            if (s == null || length(s.samples()) < 0
                    || length(s.samples()) != length(s.values())) {
                throw new IOException("counter " + counterNames.get(c) + ": series of different"
                        + " lengths");
            }
            for (int i = 0; i < s.samples().length; i++) {
                changes.add(new long[] {index(s.samples()[i], times.length, "counter"), 1, c, i});
            }
        }
        changes.sort((a, b) -> Long.compare(a[0], b[0]));
        int next = 0;
        for (int k = 0; k < times.length; k++) {
            if (!log.replaySample(times[k])) {
                break;
            }
            for (; next < changes.size() && changes.get(next)[0] == k; next++) {
                long[] c = changes.get(next);
                int i = (int) c[3];
                if (c[1] == 0) {
                    ListenerDoc x = listeners.get((int) c[2]);
                    log.listener(listenerAddresses.get((int) c[2]), port(x.port()), x.depth()[i],
                            x.backlog()[i], x.synRecv()[i]);
                } else {
                    log.counter(counterNames.get((int) c[2]),
                            d.counters().get(counterNames.get((int) c[2])).values()[i]);
                }
            }
        }
        log.listenersReadUpTo(d.listenersReadUpTo());
        for (ResetDoc r : list(d.resets())) {
            present(r, "a reset");
            log.reset(r.tsNanos(), address(r.src(), "reset"), port(r.srcPort()),
                    address(r.dst(), "reset"), port(r.dstPort()), r.state(), r.reason());
        }
        log.addDropped(d.dropped());
        int[] starts = d.recordingStarts() == null ? new int[0] : d.recordingStarts();
        for (int i = 0; i < starts.length; i++) {
            if (starts[i] <= (i == 0 ? 0 : starts[i - 1]) || starts[i] >= times.length) {
                throw new IOException("recording start " + starts[i] + " out of order or range");
            }
        }
        log.recordingStarts(starts);
        return log;
    }

    static Doc document(List<String> sources, Map<String, String> missing, Map<String, Long> sysctls,
                        long[] sampleTimes, int listenersReadUpTo, List<ListenerDoc> listeners,
                        Map<String, SeriesDoc> counters, Map<String, long[]> counterTotals,
                        List<ResetDoc> resets, long dropped, int[] recordingStarts) {
        return new Doc(VERSION, sources, missing, sysctls, sampleTimes, listenersReadUpTo,
                listeners, counters, counterTotals, resets, dropped, recordingStarts);
    }

    /** An address literal's bytes ({@link Addresses#literal}: never a name lookup). */
    private static byte[] address(String literal, String where) throws IOException {
        byte[] b = Addresses.literal(literal);
        if (b == null) {
            throw new IOException(where + ": not an address literal");
        }
        return b;
    }

    private static int index(int i, int samples, String where) throws IOException {
        if (i < 0 || i >= samples) {
            throw new IOException(where + ": sample index " + i + " out of range");
        }
        return i;
    }

    private static int port(int port) throws IOException {
        if (port < 0 || port > 0xFFFF) {
            throw new IOException("port " + port + " out of range");
        }
        return port;
    }

    /** Null is no value a writer leaves: the document was edited or damaged. */
    private static <T> T present(T value, String what) throws IOException {
        if (value == null) {
            throw new IOException(what + " is null");
        }
        return value;
    }

    private static <K, V> Map<K, V> map(Map<K, V> m) {
        return m == null ? Map.of() : m;
    }

    private static int length(int[] a) {
        return a == null ? -1 : a.length;
    }

    private static int length(long[] a) {
        return a == null ? -1 : a.length;
    }

    private static <T> List<T> list(List<T> l) {
        return l == null ? List.of() : l;
    }
}
