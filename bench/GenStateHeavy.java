/*
 * Writes the state-heavy benchmark capture for synscope: real-kernel connections, replayed so
 * that about 600,000 are open at once.
 *
 *   java bench/GenStateHeavy.java OUT.pcap [connections]     (default 620,000 connections)
 *
 * Templates are connections from the lab captures in sample-pcaps/ (Linux 6.18 on both ends,
 * captured by tcpdump at the server): their headers, options, windows, flags and timing within a
 * burst are the kernel's own. Each generated connection replays one template with its own client
 * address, ISNs, IP IDs and TCP timestamps (TSecr echoing the peer's last TSval), checksums
 * recomputed:
 *
 * - keep_alive (75 %): ok.pcap's 10.77.0.1:40001, a request and its response, kept alive: the
 *   exchange is replayed twice, 20-40 s apart, and the client closes 10-40 s after the second
 *   (14 packets, open 30-80 s);
 * - accept_queue_wait (20 %): ack-ignored.pcap's 10.77.0.1:40004, a connection that waited in a
 *   full accept queue: request acknowledged by the kernel, response only once the application
 *   accepts it; that wait, 7.5 s in the lab, is stretched to 30-60 s (10 packets);
 * - ack_ignored (5 %): ack-ignored.pcap's 10.77.0.1:40007 as it was, the handshake ACK dropped
 *   by a full accept queue, the request retransmitted until the server's stateless RST
 *   (12 packets, 4 s).
 *
 * Connections start as a Poisson process at 20,000/s, so they all start in the first 31 s and
 * nearly all are open together around then. The per-template counts (the ground truth: the lab's
 * expected verdicts are ok, ok and ack-ignored) go to stderr and OUT.pcap.truth.json. Seeded: the
 * same arguments give the same bytes. Run from the repository root (it reads sample-pcaps/).
 */

import java.io.BufferedOutputStream;
import java.io.FileOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.PriorityQueue;
import java.util.SplittableRandom;

public final class GenStateHeavy {
    static final long SEED = 20_261_206L;
    static final int DEFAULT_CONNECTIONS = 620_000;
    /** One client address per connection, from 172.16.0.0/12. */
    static final int MAX_CONNECTIONS = 1 << 20;
    static final int FIRST_CLIENT_IP = 172 << 24 | 16 << 16;
    static final double NEW_CONNECTIONS_PER_SECOND = 20_000;
    static final int SNAPLEN = 128;
    /** 2024-01-15 12:00:00 UTC, as GenCapture. */
    static final long CAPTURE_START_MICROS = 1_705_320_000L * 1_000_000L;
    static final int SYN = 0x02, ACK = 0x10;

    /** A template connection: its packets in capture order, as captured. */
    record Template(String key, int weight, List<byte[]> frames, long[] relMicros,
                    boolean[] fromClient, int clientIsn, int serverIsn) {
    }

    static final class Conn implements Comparable<Conn> {
        Template t;
        /** Per step: template packet index, round (for keep-alive repeats), time. */
        final int[] packet = new int[16];
        final int[] round = new int[16];
        final long[] micros = new long[16];
        int steps;
        int next;
        int clientIp;
        int clientPort;
        int clientIsnShift;
        int serverIsnShift;
        int clientIpId;
        int serverIpId;
        int clientTsBase;
        int serverTsBase;
        int lastClientTsval;
        int lastServerTsval;
        /** Payload each side sends per round of a repeated exchange. */
        int clientRoundBytes;
        int serverRoundBytes;

        void add(int p, int r, long atMicros) {
            packet[steps] = p;
            round[steps] = r;
            micros[steps] = atMicros;
            steps++;
        }

        @Override
        public int compareTo(Conn o) {
            return Long.compare(micros[next], o.micros[o.next]);
        }
    }

    private final SplittableRandom rng = new SplittableRandom(SEED);

    public static void main(String[] args) throws IOException {
        if (args.length < 1 || args.length > 2) {
            System.err.println("usage: java bench/GenStateHeavy.java OUT.pcap [connections]   (default "
                    + DEFAULT_CONNECTIONS + ")");
            System.exit(2);
        }
        int connections = args.length == 2 ? Integer.parseInt(args[1].replace("_", "").replace(",", ""))
                : DEFAULT_CONNECTIONS;
        if (connections < 1 || connections > MAX_CONNECTIONS) {
            System.err.println("GenStateHeavy: connections must be between 1 and " + MAX_CONNECTIONS);
            System.exit(2);
        }
        Template keepAlive = template("keep_alive", 75, "sample-pcaps/ok.pcap", 40001);
        Template queued = template("accept_queue_wait", 20, "sample-pcaps/ack-ignored.pcap", 40004);
        Template ignored = template("ack_ignored", 5, "sample-pcaps/ack-ignored.pcap", 40007);
        new GenStateHeavy().generate(Path.of(args[0]), connections,
                new Template[] {keepAlive, queued, ignored});
    }

    /** The packets of the connection from client port {@code clientPort} in {@code file}. */
    static Template template(String key, int weight, String file, int clientPort) throws IOException {
        ByteBuffer b = ByteBuffer.wrap(Files.readAllBytes(Path.of(file))).order(ByteOrder.LITTLE_ENDIAN);
        if (b.getInt(0) != 0xa1b2c3d4 || b.getInt(20) != 1) {
            throw new IOException(file + ": not a microsecond, little-endian Ethernet pcap");
        }
        List<byte[]> frames = new ArrayList<>();
        List<Long> times = new ArrayList<>();
        List<Boolean> sides = new ArrayList<>();
        int pos = 24;
        while (pos + 16 <= b.limit()) {
            long micros = (b.getInt(pos) & 0xFFFF_FFFFL) * 1_000_000 + b.getInt(pos + 4);
            int incl = b.getInt(pos + 8);
            int orig = b.getInt(pos + 12);
            byte[] f = new byte[incl];
            b.get(pos + 16, f);
            pos += 16 + incl;
            ByteBuffer fb = ByteBuffer.wrap(f);
            if (incl < 54 || fb.getShort(12) != 0x0800 || f[23] != 6) {
                continue; // ARP and the like
            }
            int ihl = (f[14] & 0xF) * 4;
            int src = fb.getShort(14 + ihl) & 0xFFFF;
            int dst = fb.getShort(14 + ihl + 2) & 0xFFFF;
            if (src != clientPort && dst != clientPort) {
                continue;
            }
            if (incl != orig) {
                throw new IOException(file + ": a template frame was truncated by the snap length");
            }
            frames.add(f);
            times.add(micros);
            sides.add(src == clientPort);
        }
        if (frames.isEmpty() || !sides.get(0)) {
            throw new IOException(file + ": no connection from client port " + clientPort);
        }
        long[] rel = new long[frames.size()];
        boolean[] fromClient = new boolean[frames.size()];
        for (int i = 0; i < rel.length; i++) {
            rel[i] = times.get(i) - times.get(0);
            fromClient[i] = sides.get(i);
        }
        int clientIsn = ByteBuffer.wrap(frames.get(0)).getInt(14 + 20 + 4);
        int serverIsn = 0;
        for (int i = 0; i < frames.size(); i++) {
            byte[] f = frames.get(i);
            if (!fromClient[i] && (f[14 + 20 + 13] & (SYN | ACK)) == (SYN | ACK)) {
                serverIsn = ByteBuffer.wrap(f).getInt(14 + 20 + 4);
                break;
            }
        }
        return new Template(key, weight, frames, rel, fromClient, clientIsn, serverIsn);
    }

    private int between(int lo, int hi) {
        return lo + rng.nextInt(hi - lo + 1);
    }

    /** Plans connection {@code i} on template {@code t}, starting at {@code startMicros}. */
    private void plan(Conn c, Template t, int i, long startMicros) {
        c.t = t;
        c.steps = 0;
        c.next = 0;
        // One address per connection, scattered (an odd multiplier permutes 20-bit numbers).
        c.clientIp = FIRST_CLIENT_IP + (int) ((i * 0x9E3779B1L) & (MAX_CONNECTIONS - 1));
        c.clientPort = between(32768, 60999);
        c.clientIsnShift = rng.nextInt();
        c.serverIsnShift = rng.nextInt();
        c.clientIpId = rng.nextInt(0x10000);
        c.serverIpId = rng.nextInt(0x10000);
        c.clientTsBase = rng.nextInt();
        c.serverTsBase = rng.nextInt();
        c.lastClientTsval = 0;
        c.lastServerTsval = 0;
        long[] rel = t.relMicros();
        switch (t.key()) {
            case "keep_alive" -> {
                // Handshake 0-2, exchange 3-6 (request, its ACK, response, its ACK), close 7-9.
                c.clientRoundBytes = payloadLength(t.frames().get(3));
                c.serverRoundBytes = payloadLength(t.frames().get(5));
                for (int p = 0; p <= 2; p++) {
                    c.add(p, 0, startMicros + rel[p]);
                }
                long roundStart = startMicros + rel[3];
                int rounds = 2;
                for (int r = 0; r < rounds; r++) {
                    for (int p = 3; p <= 6; p++) {
                        c.add(p, r, roundStart + rel[p] - rel[3]);
                    }
                    roundStart = c.micros[c.steps - 1] + between(20_000, 40_000) * 1000L;
                }
                long closeStart = c.micros[c.steps - 1] + between(10_000, 40_000) * 1000L;
                for (int p = 7; p <= 9; p++) {
                    c.add(p, rounds - 1, closeStart + rel[p] - rel[7]);
                }
            }
            case "accept_queue_wait" -> {
                // The response (5) waited for accept(): stretch that wait.
                long waitMicros = between(30_000, 60_000) * 1000L - (rel[5] - rel[4]);
                for (int p = 0; p < rel.length; p++) {
                    c.add(p, 0, startMicros + rel[p] + (p >= 5 ? waitMicros : 0));
                }
            }
            default -> {
                for (int p = 0; p < rel.length; p++) {
                    c.add(p, 0, startMicros + rel[p]);
                }
            }
        }
    }

    static int payloadLength(byte[] f) {
        int ihl = (f[14] & 0xF) * 4;
        int total = (f[16] & 0xFF) << 8 | f[17] & 0xFF;
        int doff = ((f[14 + ihl + 12] & 0xFF) >>> 4) * 4;
        return total - ihl - doff;
    }

    private void generate(Path out, int connections, Template[] templates) throws IOException {
        long[] connectionsBy = new long[templates.length];
        long[] packetsBy = new long[templates.length];
        PriorityQueue<Conn> open = new PriorityQueue<>();
        double meanGapMicros = 1e6 / NEW_CONNECTIONS_PER_SECOND;
        double arrival = CAPTURE_START_MICROS;
        int created = 0;
        long packets = 0;
        long bytes = 24;
        int peakOpen = 0;
        long lastMicros = CAPTURE_START_MICROS;
        byte[] frame = new byte[256];
        try (OutputStream o = new BufferedOutputStream(new FileOutputStream(out.toFile()), 1 << 22)) {
            ByteBuffer h = ByteBuffer.allocate(24).order(ByteOrder.LITTLE_ENDIAN);
            h.putInt(0xa1b2c3d4).putShort((short) 2).putShort((short) 4).putInt(0).putInt(0)
                    .putInt(SNAPLEN).putInt(1);
            o.write(h.array());
            ByteBuffer rec = ByteBuffer.allocate(16).order(ByteOrder.LITTLE_ENDIAN);
            while (created < connections || !open.isEmpty()) {
                if (created < connections && (open.isEmpty() || (long) arrival <= open.peek().micros[open.peek().next])) {
                    int ticket = rng.nextInt(100);
                    int k = 0;
                    while (ticket >= templates[k].weight()) {
                        ticket -= templates[k].weight();
                        k++;
                    }
                    Conn c = new Conn();
                    plan(c, templates[k], created, (long) arrival);
                    connectionsBy[k]++;
                    open.add(c);
                    peakOpen = Math.max(peakOpen, open.size());
                    created++;
                    arrival += -Math.log(1.0 - rng.nextDouble()) * meanGapMicros;
                    continue;
                }
                Conn c = open.poll();
                long micros = c.micros[c.next];
                int length = rewrite(c, c.packet[c.next], c.round[c.next], micros, frame);
                rec.clear();
                rec.putInt((int) (micros / 1_000_000)).putInt((int) (micros % 1_000_000))
                        .putInt(length).putInt(length);
                o.write(rec.array());
                o.write(frame, 0, length);
                bytes += 16 + length;
                packets++;
                lastMicros = micros;
                for (int k = 0; k < templates.length; k++) {
                    if (templates[k] == c.t) {
                        packetsBy[k]++;
                    }
                }
                if (++c.next < c.steps) {
                    open.add(c);
                }
            }
        }
        report(out, connections, packets, bytes, (lastMicros - CAPTURE_START_MICROS) / 1e6, peakOpen,
                templates, connectionsBy, packetsBy);
    }

    /** Writes template packet {@code p} of {@code c}, round {@code r}, into {@code f}; its length. */
    private static int rewrite(Conn c, int p, int r, long micros, byte[] f) {
        byte[] src = c.t.frames().get(p);
        System.arraycopy(src, 0, f, 0, src.length);
        ByteBuffer b = ByteBuffer.wrap(f, 0, src.length);
        boolean fromClient = c.t.fromClient()[p];
        int ip = 14;
        int ihl = (f[ip] & 0xF) * 4;
        int tcp = ip + ihl;
        int flags = f[tcp + 13] & 0xFF;
        b.putShort(ip + 4, (short) (fromClient ? c.clientIpId++ : c.serverIpId++));
        b.putInt(fromClient ? ip + 12 : ip + 16, c.clientIp);
        b.putShort(fromClient ? tcp : tcp + 2, (short) c.clientPort);
        int ownShift = fromClient ? c.clientIsnShift : c.serverIsnShift;
        int peerShift = fromClient ? c.serverIsnShift : c.clientIsnShift;
        int ownRound = r * (fromClient ? c.clientRoundBytes : c.serverRoundBytes);
        int peerRound = r * (fromClient ? c.serverRoundBytes : c.clientRoundBytes);
        b.putInt(tcp + 4, b.getInt(tcp + 4) + ownShift + ownRound);
        if ((flags & ACK) != 0) {
            b.putInt(tcp + 8, b.getInt(tcp + 8) + peerShift + peerRound);
        }
        // Timestamps option: TSval on a millisecond clock of this side's own, TSecr the peer's last.
        int doff = ((f[tcp + 12] & 0xFF) >>> 4) * 4;
        for (int o = tcp + 20; o < tcp + doff; ) {
            int kind = f[o] & 0xFF;
            if (kind == 0) {
                break;
            }
            if (kind == 1) {
                o++;
                continue;
            }
            int len = f[o + 1] & 0xFF;
            if (kind == 8 && len == 10) {
                int tsval = (fromClient ? c.clientTsBase : c.serverTsBase) + (int) (micros / 1000);
                int tsecr = (flags & ACK) != 0 ? (fromClient ? c.lastServerTsval : c.lastClientTsval) : 0;
                b.putInt(o + 2, tsval);
                b.putInt(o + 6, tsecr);
                if (fromClient) {
                    c.lastClientTsval = tsval;
                } else {
                    c.lastServerTsval = tsval;
                }
            }
            o += Math.max(len, 2);
        }
        // Checksums, recomputed: IPv4 header, then TCP over the pseudo-header and the segment.
        b.putShort(ip + 10, (short) 0);
        b.putShort(ip + 10, (short) ~fold(sum(f, ip, ihl)));
        int total = b.getShort(ip + 2) & 0xFFFF;
        int tcpLength = total - ihl;
        b.putShort(tcp + 16, (short) 0);
        int pseudo = sum(f, ip + 12, 8) + 6 + tcpLength;
        b.putShort(tcp + 16, (short) ~fold(pseudo + sum(f, tcp, tcpLength)));
        return src.length;
    }

    static int sum(byte[] f, int start, int length) {
        int s = 0;
        for (int k = 0; k + 1 < length; k += 2) {
            s += (f[start + k] & 0xFF) << 8 | f[start + k + 1] & 0xFF;
        }
        if ((length & 1) != 0) {
            s += (f[start + length - 1] & 0xFF) << 8;
        }
        return s;
    }

    static int fold(int s) {
        while ((s >>> 16) != 0) {
            s = (s & 0xFFFF) + (s >>> 16);
        }
        return s;
    }

    private static void report(Path out, int connections, long packets, long bytes, double seconds,
                               int peakOpen, Template[] templates, long[] connectionsBy,
                               long[] packetsBy) throws IOException {
        StringBuilder text = new StringBuilder(String.format(Locale.ROOT,
                "GenStateHeavy: wrote %s: %,d connections, %,d packets, %,.1f MB, %.2f s of capture,"
                        + " peak %,d open connections%n", out, connections, packets, bytes / 1e6,
                seconds, peakOpen));
        StringBuilder json = new StringBuilder("{\n");
        json.append("  \"generator\": \"bench/GenStateHeavy.java\",\n");
        json.append("  \"seed\": ").append(SEED).append(",\n");
        json.append("  \"connections\": ").append(connections).append(",\n");
        json.append("  \"packets\": ").append(packets).append(",\n");
        json.append("  \"bytes\": ").append(bytes).append(",\n");
        json.append(String.format(Locale.ROOT, "  \"capture_seconds\": %.6f,%n", seconds));
        json.append("  \"peak_open_connections\": ").append(peakOpen).append(",\n");
        json.append("  \"templates\": {\n");
        for (int k = 0; k < templates.length; k++) {
            text.append(String.format(Locale.ROOT, "  %-18s %,12d %,12d%n", templates[k].key(),
                    connectionsBy[k], packetsBy[k]));
            json.append(String.format(Locale.ROOT, "    \"%s\": {\"connections\": %d, \"packets\": %d}%s%n",
                    templates[k].key(), connectionsBy[k], packetsBy[k],
                    k == templates.length - 1 ? "" : ","));
        }
        json.append("  }\n}\n");
        System.err.print(text);
        Files.writeString(Path.of(out + ".truth.json"), json);
    }
}
