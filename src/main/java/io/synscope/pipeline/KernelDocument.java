package io.synscope.pipeline;

import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.synscope.capture.Captures;

import java.io.IOException;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

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
    private static final Pattern IPV4 = Pattern.compile("\\d{1,3}(\\.\\d{1,3}){3}");
    /** IPv6 text (a colon in it, hex digits, dots of an embedded IPv4). */
    private static final Pattern IPV6 = Pattern.compile("[0-9a-fA-F:.]*:[0-9a-fA-F:.]*");

    private KernelDocument() {
    }

    /**
     * @param listenersReadUpTo the last sample whose listeners were read (sock_diag may stop)
     * @param counters          the failure-related counters, sample by sample
     * @param counterTotals     every counter's first and latest value
     */
    record Doc(int version, List<String> sources, Map<String, String> missing,
               Map<String, Long> sysctls, @JsonProperty("sample_times_ns") long[] sampleTimes,
               @JsonProperty("listeners_read_up_to") int listenersReadUpTo,
               List<ListenerDoc> listeners, Map<String, SeriesDoc> counters,
               @JsonProperty("counter_totals") Map<String, long[]> counterTotals,
               List<ResetDoc> resets, long dropped) {
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
        Doc d = Json.MAPPER.readValue(text, Doc.class);
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
        return log;
    }

    static Doc document(List<String> sources, Map<String, String> missing, Map<String, Long> sysctls,
                        long[] sampleTimes, int listenersReadUpTo, List<ListenerDoc> listeners,
                        Map<String, SeriesDoc> counters, Map<String, long[]> counterTotals,
                        List<ResetDoc> resets, long dropped) {
        return new Doc(VERSION, sources, missing, sysctls, sampleTimes, listenersReadUpTo,
                listeners, counters, counterTotals, resets, dropped);
    }

    /**
     * An address literal's bytes. IPv4 is parsed here: InetAddress.getByName takes what does
     * not parse as a dotted quad ({@code 999.1.1.1}) for a host name and asks DNS, which a file
     * must never make synscope do. A text with a colon is an IPv6 literal or an error, never a
     * lookup, for InetAddress.
     */
    private static byte[] address(String literal, String where) throws IOException {
        if (literal != null && IPV4.matcher(literal).matches()) {
            String[] parts = literal.split("\\.");
            byte[] b = new byte[4];
            for (int i = 0; i < 4; i++) {
                int octet = Integer.parseInt(parts[i]);
                if (octet > 255) {
                    throw new IOException(where + ": not an address literal");
                }
                b[i] = (byte) octet;
            }
            return b;
        }
        if (literal == null || !IPV6.matcher(literal).matches()) {
            throw new IOException(where + ": not an address literal");
        }
        try {
            return InetAddress.getByName(literal).getAddress();
        } catch (UnknownHostException e) {
            throw new IOException(where + ": not an address literal", e);
        }
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
