/*
 * Writes the synthetic benchmark capture for synscope.
 *
 *   java bench/GenCapture.java OUT.pcap [connections]                (default 1,000,000 connections)
 *   java bench/GenCapture.java --shape flood OUT.pcap [syns]         (default 2,000,000 SYNs)
 *
 * The flood shape: spoofed SYNs from distinct sources at 20,000/s to one listener whose SYN
 * queue fills (see generateFlood), then one healthy connection ten seconds after the last SYN.
 *
 * Output: a classic pcap (microsecond magic, little-endian, snaplen 96, LINKTYPE_ETHERNET) of
 * Ethernet/IPv4/TCP traffic between 65,536 clients and three servers, as seen by a tap in front
 * of the servers: client packets appear when they reach the servers and server packets when
 * they leave, so a server's own retransmissions are visible and a client's answers lag one RTT.
 * Every connection follows one scripted behaviour (see Behaviour); the per-behaviour counts are
 * the ground truth a benchmark run is sanity-checked against, printed to stderr and written to
 * OUT.pcap.truth.json. The RNG is seeded, so the same arguments always give the same bytes.
 *
 * Single file, JDK only. The packet loop allocates nothing: connection scripts are pooled.
 */

import java.io.FileOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.SplittableRandom;

public final class GenCapture {

    static final long SEED = 20_240_115L;
    static final int DEFAULT_CONNECTIONS = 1_000_000;
    /** About 9 GB of pcap; more is surely a typo. */
    static final int MAX_CONNECTIONS = 100_000_000;
    static final int SNAPLEN = 96;
    /**
     * Mean arrival rate. The failures that wait on retransmission timers (SYN dropped, SYN-ACK
     * unanswered, ACK ignored) stay open for 1.4 to 3 s each and dominate the number of
     * connections open at once; at this rate that number peaks just under 10,000 (100,000/s
     * would give 15,000). The analyzer's work per packet does not depend on the rate.
     */
    static final double NEW_CONNECTIONS_PER_SECOND = 65_000;
    static final int FLOOD_DEFAULT_SYNS = 2_000_000;
    /** 2,000,000 SYNs in 100 s. */
    static final double FLOOD_SYNS_PER_SECOND = 20_000;
    /** The flood's sources are 100.64.0.0/10, one address per SYN: 2^22 of them. */
    static final int FLOOD_MAX_SYNS = 1 << 22;
    static final int FIRST_FLOOD_SOURCE = ipv4(100, 64, 0, 0);
    /** The listener's SYN queue (net.ipv4.tcp_max_syn_backlog, syncookies off). */
    static final int FLOOD_SYN_QUEUE = 65_536;
    /** A queued request's slot: SYN-ACKs at 0, +1, +3 s, then the last one's 4 s timeout. */
    static final long FLOOD_SLOT_MICROS = 7_000_000;
    static final long FLOOD_QUIET_AFTER_MICROS = 10_000_000;
    /** 2024-01-15 12:00:00 UTC. */
    static final long CAPTURE_START_MICROS = 1_705_320_000L * 1_000_000L;

    static final int FIN = 0x01, SYN = 0x02, RST = 0x04, PSH = 0x08, ACK = 0x10;
    static final boolean FROM_CLIENT = true, FROM_SERVER = false;

    static final int[] SERVER_IPS = {ipv4(10, 0, 0, 1), ipv4(10, 0, 0, 2), ipv4(10, 0, 0, 3)};
    static final int[] SERVER_PORTS = {80, 443, 8080};
    static final int CLIENT_COUNT = 65_536;
    static final int FIRST_CLIENT_IP = ipv4(172, 16, 0, 1);
    /** Linux's default net.ipv4.ip_local_port_range. */
    static final int EPHEMERAL_LOW = 32_768, EPHEMERAL_HIGH = 60_999;
    /** MSS 1460 less the 12 bytes of timestamp option every established segment carries. */
    static final int MAX_PAYLOAD = 1448;
    static final int SYN_WINDOW_CLIENT = 64_240, SYN_WINDOW_SERVER = 65_160;
    /** Established windows as sent, i.e. before the window-scale shift of 7. */
    static final int WINDOW_CLIENT = 502, WINDOW_SERVER = 509;
    static final long MIN_RTO_MICROS = 200_000;
    /** First send and the retries of an unanswered SYN or SYN-ACK: Linux's 1 s timer, doubling. */
    static final long[] SYN_RETRY_OFFSETS_MICROS = {0, 1_000_000, 3_000_000};
    /** First send and three retransmissions of an unacknowledged request, the RTO doubling each time. */
    static final int[] REQUEST_SEND_TIMES_IN_RTOS = {0, 1, 3, 7};

    /** What a connection does; mutually exclusive, so the counts add up to the connections. */
    enum Behaviour {
        CLEAN("clean", 8_600),
        /** Clean, but the response is retransmitted once after an RTO: healthy, not a failure. */
        CLEAN_RETRANSMIT("clean_retransmit", 400),
        /** SYN answered by RST/ACK: nothing listening. */
        REFUSED("refused", 200),
        /** SYN sent three times (0, +1 s, +3 s), never answered. */
        SYN_DROPPED("syn_dropped", 150),
        /** SYN-ACK sent three times (0, +1 s, +3 s), the client never completes the handshake. */
        SYNACK_UNANSWERED("synack_unanswered", 100),
        /** Request acknowledged, then R. from the server: closed with unread data / SO_LINGER 0. */
        RST_AFTER_DATA("rst_after_data", 200),
        /** Handshake ACK answered by a bare stateless R: accept queue full, tcp_abort_on_overflow=1. */
        OVERFLOW_RESET("overflow_reset", 200),
        /** Handshake ACK silently dropped: accept queue full, tcp_abort_on_overflow=0. */
        ACK_IGNORED("ack_ignored", 150),
        /** Flood shape only (weight 0 here): a spoofed SYN the full SYN queue dropped, sent once. */
        FLOOD_SYN_DROPPED("flood_syn_dropped", 0),
        /** Flood shape only: a spoofed SYN queued and answered at 0, +1, +3 s; never acknowledged. */
        FLOOD_SYNACK_UNANSWERED("flood_synack_unanswered", 0),
        /** Flood shape only: the healthy connection that ends the capture. */
        FLOOD_AFTER_CLEAN("clean_after_flood", 0);

        final String key;
        /** Share of connections, in units of 0.01 %; the weights add up to 10,000. */
        final int weight;

        Behaviour(String key, int weight) {
            this.key = key;
            this.weight = weight;
        }

        static final Behaviour[] ALL = values();

        static Behaviour draw(SplittableRandom rng) {
            int ticket = rng.nextInt(10_000);
            for (Behaviour b : ALL) {
                ticket -= b.weight;
                if (ticket < 0) {
                    return b;
                }
            }
            throw new AssertionError("behaviour weights do not add up to 10,000");
        }
    }

    /**
     * One connection: its endpoints and the packets it will send, with times relative to its SYN.
     * Built whole when the connection opens, then replayed packet by packet in time order as the
     * global clock reaches each one. Pooled: {@link #reset} clears it for the next connection, and
     * every other field is overwritten by the builder, so nothing leaks between connections.
     */
    static final class Conn {
        static final int MAX_PACKETS = 16;
        final long[] relMicros = new long[MAX_PACKETS];
        final boolean[] fromClient = new boolean[MAX_PACKETS];
        final int[] flags = new int[MAX_PACKETS];
        final int[] seq = new int[MAX_PACKETS];
        final int[] ack = new int[MAX_PACKETS];
        final int[] payloadLength = new int[MAX_PACKETS];
        final int[] window = new int[MAX_PACKETS];
        /** Sent by the kernel without a socket (RST to a closed port or on overflow): IP ID 0, no options. */
        final boolean[] stateless = new boolean[MAX_PACKETS];
        /** Packet indices in send order; the builder adds packets in logical, not time, order. */
        final int[] order = new int[MAX_PACKETS];
        int count;
        int next;
        long startMicros;
        /** Absolute time of packet {@code order[next]}; the heap key. */
        long nextMicros;
        Behaviour behaviour;
        int clientIp, clientPort, serverIndex, clientTtl;
        int clientIpId, serverIpId;
        int clientTsOffset, serverTsOffset;
        /** Last TSval each side sent, echoed as TSecr by the other side. */
        int lastClientTsval, lastServerTsval;

        void reset(long startMicros) {
            this.startMicros = startMicros;
            count = 0;
            next = 0;
            lastClientTsval = 0;
            lastServerTsval = 0;
        }

        void add(long relMicros, boolean fromClient, int flags, int seq, int ack, int payloadLength,
                 int window, boolean stateless) {
            int i = count++;
            this.relMicros[i] = relMicros;
            this.fromClient[i] = fromClient;
            this.flags[i] = flags;
            this.seq[i] = seq;
            this.ack[i] = ack;
            this.payloadLength[i] = payloadLength;
            this.window[i] = window;
            this.stateless[i] = stateless;
        }

        void add(long relMicros, boolean fromClient, int flags, int seq, int ack, int payloadLength,
                 int window) {
            add(relMicros, fromClient, flags, seq, ack, payloadLength, window, false);
        }

        /** Stable, so packets added in logical order keep it when their times tie. */
        void sortByTime() {
            for (int i = 0; i < count; i++) {
                int idx = i;
                int j = i;
                while (j > 0 && relMicros[order[j - 1]] > relMicros[idx]) {
                    order[j] = order[j - 1];
                    j--;
                }
                order[j] = idx;
            }
            nextMicros = startMicros + relMicros[order[0]];
        }

        /** Moves to the next packet; false when the script is finished. */
        boolean advance() {
            if (++next == count) {
                return false;
            }
            nextMicros = startMicros + relMicros[order[next]];
            return true;
        }
    }

    /**
     * Binary min-heap of open connections keyed by {@link Conn#nextMicros}. The keys are kept in
     * their own array, beside the connections, so that sifting compares without chasing pointers.
     */
    static final class ConnHeap {
        private Conn[] items = new Conn[4096];
        private long[] keys = new long[4096];
        private int size;

        int size() {
            return size;
        }

        Conn top() {
            return items[0];
        }

        long topKey() {
            return keys[0];
        }

        void push(Conn c) {
            if (size == items.length) {
                items = java.util.Arrays.copyOf(items, size * 2);
                keys = java.util.Arrays.copyOf(keys, size * 2);
            }
            long key = c.nextMicros;
            int i = size++;
            while (i > 0) {
                int parent = (i - 1) >>> 1;
                if (keys[parent] <= key) {
                    break;
                }
                items[i] = items[parent];
                keys[i] = keys[parent];
                i = parent;
            }
            items[i] = c;
            keys[i] = key;
        }

        /** Restores heap order after the top advanced to a later packet. */
        void topKeyIncreased() {
            siftDown(items[0]);
        }

        void removeTop() {
            Conn last = items[--size];
            items[size] = null;
            if (size > 0) {
                siftDown(last);
            }
        }

        private void siftDown(Conn c) {
            long key = c.nextMicros;
            int i = 0;
            int half = size >>> 1;
            while (i < half) {
                int child = 2 * i + 1;
                int right = child + 1;
                if (right < size && keys[right] < keys[child]) {
                    child = right;
                }
                if (key <= keys[child]) {
                    break;
                }
                items[i] = items[child];
                keys[i] = keys[child];
                i = child;
            }
            items[i] = c;
            keys[i] = key;
        }
    }

    /**
     * Filler payload for one direction of one server. Only the first bytes survive the snap
     * length, but the TCP checksum covers all of them, so prefix sums of the 16-bit words make
     * the payload's share of the checksum one array read for any length.
     */
    static final class Payload {
        final byte[] bytes = new byte[MAX_PAYLOAD];
        /** prefixWordSum[n]: one's-complement sum (unfolded) of the first n bytes, odd byte padded. */
        final int[] prefixWordSum = new int[MAX_PAYLOAD + 1];

        Payload(String text, SplittableRandom rng) {
            if (text == null) {
                // TLS application data: record header, then ciphertext-looking bytes.
                rng.nextBytes(bytes);
                bytes[0] = 0x17;
                bytes[1] = 0x03;
                bytes[2] = 0x03;
            } else {
                byte[] head = text.getBytes(StandardCharsets.US_ASCII);
                java.util.Arrays.fill(bytes, (byte) 'x');
                System.arraycopy(head, 0, bytes, 0, Math.min(head.length, MAX_PAYLOAD));
            }
            for (int n = 1; n <= MAX_PAYLOAD; n++) {
                int b = bytes[n - 1] & 0xff;
                // Byte n-1 is a word's high byte when n is odd, its low byte when n is even.
                prefixWordSum[n] = prefixWordSum[n - 1] + ((n & 1) == 1 ? b << 8 : b);
            }
        }
    }

    /** Buffered classic-pcap writer; {@link #write} formats one packet of a connection in place. */
    static final class PcapWriter implements AutoCloseable {
        /** Locally administered MACs 02:00:0a:00:00:NN; NN is 01..03 for the servers, fe for the router. */
        static final byte[] MAC_PREFIX = {0x02, 0x00, 0x0a, 0x00, 0x00};
        static final byte ROUTER_MAC_LAST = (byte) 0xfe;
        private final OutputStream out;
        private final byte[] buf = new byte[1 << 22];
        private int pos;
        private final Payload[] requests = new Payload[SERVER_IPS.length];
        private final Payload[] responses = new Payload[SERVER_IPS.length];
        long bytesWritten;

        PcapWriter(OutputStream out, SplittableRandom rng) throws IOException {
            this.out = out;
            for (int s = 0; s < SERVER_IPS.length; s++) {
                boolean tls = SERVER_PORTS[s] == 443;
                requests[s] = new Payload(tls ? null : "GET /api/v1/items?id=4711 HTTP/1.1\r\nHost: "
                        + dotted(SERVER_IPS[s]) + "\r\nUser-Agent: loadgen/1.0\r\nAccept: */*\r\n"
                        + "X-Filler: ", rng);
                responses[s] = new Payload(tls ? null : "HTTP/1.1 200 OK\r\nContent-Type: "
                        + "application/octet-stream\r\nServer: synscope-bench\r\n\r\n", rng);
            }
            putIntLE(0xa1b2c3d4);   // microsecond timestamps
            putShortLE(2);
            putShortLE(4);
            putIntLE(0);            // thiszone
            putIntLE(0);            // sigfigs
            putIntLE(SNAPLEN);
            putIntLE(1);            // LINKTYPE_ETHERNET
        }

        /** Writes packet {@code c.order[c.next]} at the connection's current time. */
        void write(Conn c) throws IOException {
            if (pos + 16 + SNAPLEN > buf.length) {
                flush();
            }
            int i = c.order[c.next];
            long tsMicros = c.nextMicros;
            boolean fromClient = c.fromClient[i];
            int flags = c.flags[i];
            boolean stateless = c.stateless[i];
            int optionsLength = stateless ? 0 : (flags & SYN) != 0 ? 20 : 12;
            int tcpHeaderLength = 20 + optionsLength;
            int payloadLength = c.payloadLength[i];
            int ipTotalLength = 20 + tcpHeaderLength + payloadLength;
            int frameLength = 14 + ipTotalLength;
            int capturedLength = Math.min(frameLength, SNAPLEN);
            int serverIp = SERVER_IPS[c.serverIndex];
            int srcIp = fromClient ? c.clientIp : serverIp;
            int dstIp = fromClient ? serverIp : c.clientIp;

            putIntLE((int) (tsMicros / 1_000_000));
            putIntLE((int) (tsMicros % 1_000_000));
            putIntLE(capturedLength);
            putIntLE(frameLength);

            int frameStart = pos;
            byte serverMacLast = (byte) (c.serverIndex + 1);
            putMac(fromClient ? serverMacLast : ROUTER_MAC_LAST);
            putMac(fromClient ? ROUTER_MAC_LAST : serverMacLast);
            putShort(0x0800);

            int ipStart = pos;
            int ipId = stateless ? 0 : fromClient ? c.clientIpId++ : c.serverIpId++;
            putShort(0x4500);
            putShort(ipTotalLength);
            putShort(ipId & 0xffff);
            putShort(0x4000);       // DF, as Linux sets on TCP
            buf[pos++] = (byte) (fromClient ? c.clientTtl : 64);
            buf[pos++] = 6;
            putShort(0);            // checksum, filled below
            putInt(srcIp);
            putInt(dstIp);
            int ipSum = wordSum(ipStart, 20);
            putShortAt(ipStart + 10, ~fold(ipSum));

            int tcpStart = pos;
            putShort(fromClient ? c.clientPort : SERVER_PORTS[c.serverIndex]);
            putShort(fromClient ? SERVER_PORTS[c.serverIndex] : c.clientPort);
            putInt(c.seq[i]);
            putInt(c.ack[i]);
            putShort((tcpHeaderLength / 4) << 12 | flags);
            putShort(c.window[i]);
            putShort(0);            // checksum, filled below
            putShort(0);            // urgent pointer
            if (!stateless) {
                putOptions(c, fromClient, tsMicros, (flags & SYN) != 0);
            }
            Payload payload = fromClient ? requests[c.serverIndex] : responses[c.serverIndex];
            int capturedPayload = capturedLength - (pos - frameStart);
            System.arraycopy(payload.bytes, 0, buf, pos, capturedPayload);
            int tcpLength = tcpHeaderLength + payloadLength;
            int tcpSum = (srcIp >>> 16) + (srcIp & 0xffff) + (dstIp >>> 16) + (dstIp & 0xffff)
                    + 6 + tcpLength + wordSum(tcpStart, tcpHeaderLength)
                    + payload.prefixWordSum[payloadLength];
            putShortAt(tcpStart + 16, ~fold(tcpSum));
            pos += capturedPayload;
            bytesWritten += 16 + capturedLength;
        }

        /**
         * Linux's option layouts: MSS, SACK-permitted, timestamps, NOP, window scale 7 on SYNs
         * (20 bytes); NOP, NOP, timestamps on everything else a socket sends (12 bytes).
         */
        private void putOptions(Conn c, boolean fromClient, long tsMicros, boolean syn) {
            int tsval = (fromClient ? c.clientTsOffset : c.serverTsOffset) + (int) (tsMicros / 1000);
            int tsecr = fromClient ? c.lastServerTsval : c.lastClientTsval;
            if (fromClient) {
                c.lastClientTsval = tsval;
            } else {
                c.lastServerTsval = tsval;
            }
            if (syn) {
                putInt(0x020405b4); // MSS 1460
                putShort(0x0402);   // SACK permitted
            } else {
                putShort(0x0101);   // NOP, NOP
            }
            putShort(0x080a);
            putInt(tsval);
            putInt(tsecr);
            if (syn) {
                putInt(0x01030307); // NOP, window scale 7
            }
        }

        private int wordSum(int start, int length) {
            int sum = 0;
            for (int k = start; k < start + length; k += 2) {
                sum += (buf[k] & 0xff) << 8 | buf[k + 1] & 0xff;
            }
            return sum;
        }

        private static int fold(int sum) {
            while ((sum >>> 16) != 0) {
                sum = (sum & 0xffff) + (sum >>> 16);
            }
            return sum;
        }

        private void putMac(byte last) {
            System.arraycopy(MAC_PREFIX, 0, buf, pos, 5);
            buf[pos + 5] = last;
            pos += 6;
        }

        private void putShort(int v) {
            buf[pos++] = (byte) (v >>> 8);
            buf[pos++] = (byte) v;
        }

        private void putShortAt(int at, int v) {
            buf[at] = (byte) (v >>> 8);
            buf[at + 1] = (byte) v;
        }

        private void putInt(int v) {
            putShort(v >>> 16);
            putShort(v);
        }

        private void putShortLE(int v) {
            buf[pos++] = (byte) v;
            buf[pos++] = (byte) (v >>> 8);
        }

        private void putIntLE(int v) {
            putShortLE(v);
            putShortLE(v >>> 16);
        }

        private void flush() throws IOException {
            out.write(buf, 0, pos);
            pos = 0;
        }

        @Override
        public void close() throws IOException {
            flush();
            out.close();
        }
    }

    // ---------------------------------------------------------------- connection scripts

    private final SplittableRandom rng = new SplittableRandom(SEED);
    /** Flood shape: when each occupied slot of the listener's SYN queue frees, oldest first. */
    private final java.util.ArrayDeque<Long> synQueueReleases = new java.util.ArrayDeque<>();
    private long lastFloodSynMicros;
    /** Next ephemeral port per client, so a 4-tuple is never reused within one capture. */
    private final int[] nextClientPort = new int[CLIENT_COUNT];
    private long isnNearWrap;

    private GenCapture() {
        for (int k = 0; k < CLIENT_COUNT; k++) {
            nextClientPort[k] = between(EPHEMERAL_LOW, EPHEMERAL_HIGH);
        }
    }

    /** Fills {@code c} with a fresh connection of a random behaviour starting at its start time. */
    void build(Conn c) {
        build(c, Behaviour.draw(rng));
    }

    /** Fills {@code c} with a fresh connection of behaviour {@code b}. */
    void build(Conn c, Behaviour b) {
        c.behaviour = b;
        int client = rng.nextInt(CLIENT_COUNT);
        c.clientIp = FIRST_CLIENT_IP + client;
        c.clientPort = nextClientPort[client];
        nextClientPort[client] = c.clientPort == EPHEMERAL_HIGH ? EPHEMERAL_LOW : c.clientPort + 1;
        c.serverIndex = rng.nextInt(SERVER_IPS.length);
        drawHeaderFields(c);

        // ISNs over the full 32-bit range; 1 % start just below 2^32 so that their sequence
        // numbers wrap to small values in the middle of the connection.
        int isnClient = rng.nextInt();
        int isnServer = rng.nextInt();
        if (rng.nextInt(100) == 0) {
            isnNearWrap++;
            if (rng.nextBoolean()) {
                isnClient = -between(1, 600);
            } else {
                isnServer = -between(1, 1200);
            }
        }
        long rttMicros = rng.nextInt(10) < 7 ? between(100, 2_000) : between(5_000, 80_000);
        long rtoMicros = rttMicros + Math.max(2 * rttMicros, MIN_RTO_MICROS);
        int requestLength = between(60, 700);
        int responseLength = between(200, MAX_PAYLOAD);
        int clientAfterSyn = isnClient + 1;
        int clientAfterRequest = clientAfterSyn + requestLength;
        int serverAfterSyn = isnServer + 1;

        c.add(0, FROM_CLIENT, SYN, isnClient, 0, 0, SYN_WINDOW_CLIENT);
        long tSynAck = between(10, 60);
        switch (b) {
            case REFUSED -> c.add(tSynAck, FROM_SERVER, RST | ACK, 0, clientAfterSyn, 0, 0, true);
            case SYN_DROPPED -> {
                for (int k = 1; k < SYN_RETRY_OFFSETS_MICROS.length; k++) {
                    c.add(SYN_RETRY_OFFSETS_MICROS[k], FROM_CLIENT, SYN, isnClient, 0, 0,
                            SYN_WINDOW_CLIENT);
                }
            }
            case SYNACK_UNANSWERED -> {
                for (long offsetMicros : SYN_RETRY_OFFSETS_MICROS) {
                    c.add(tSynAck + offsetMicros, FROM_SERVER, SYN | ACK, isnServer, clientAfterSyn, 0,
                            SYN_WINDOW_SERVER);
                }
            }
            default -> {
                c.add(tSynAck, FROM_SERVER, SYN | ACK, isnServer, clientAfterSyn, 0, SYN_WINDOW_SERVER);
                long tAck = tSynAck + rttMicros;
                c.add(tAck, FROM_CLIENT, ACK, clientAfterSyn, serverAfterSyn, 0, WINDOW_CLIENT);
                // The client writes its request as soon as connect() returns.
                long tRequest = tAck + between(2, 200);
                switch (b) {
                    case OVERFLOW_RESET -> {
                        // A stateless RST answers the ACK with the sequence number it acknowledged;
                        // half the clients had their request on the wire already, and it gets one too.
                        c.add(tAck + between(5, 40), FROM_SERVER, RST, serverAfterSyn, 0, 0, 0, true);
                        if (rng.nextBoolean()) {
                            c.add(tRequest, FROM_CLIENT, PSH | ACK, clientAfterSyn, serverAfterSyn,
                                    requestLength, WINDOW_CLIENT);
                            c.add(tRequest + between(5, 40), FROM_SERVER, RST, serverAfterSyn, 0, 0, 0, true);
                        }
                    }
                    case ACK_IGNORED -> {
                        for (int rtos : REQUEST_SEND_TIMES_IN_RTOS) {
                            c.add(tRequest + rtos * rtoMicros, FROM_CLIENT, PSH | ACK, clientAfterSyn,
                                    serverAfterSyn, requestLength, WINDOW_CLIENT);
                        }
                        long tSynAckAgain = tSynAck + 1_000_000;
                        c.add(tSynAckAgain, FROM_SERVER, SYN | ACK, isnServer, clientAfterSyn, 0,
                                SYN_WINDOW_SERVER);
                        c.add(tSynAckAgain + rttMicros, FROM_CLIENT, ACK, clientAfterRequest,
                                serverAfterSyn, 0, WINDOW_CLIENT);
                    }
                    case RST_AFTER_DATA -> {
                        c.add(tRequest, FROM_CLIENT, PSH | ACK, clientAfterSyn, serverAfterSyn,
                                requestLength, WINDOW_CLIENT);
                        c.add(tRequest + between(20, 80), FROM_SERVER, ACK, serverAfterSyn,
                                clientAfterRequest, 0, WINDOW_SERVER);
                        c.add(tRequest + between(1_000, 50_000), FROM_SERVER, RST | ACK, serverAfterSyn,
                                clientAfterRequest, 0, WINDOW_SERVER);
                    }
                    case CLEAN, CLEAN_RETRANSMIT -> scriptExchange(c, b == Behaviour.CLEAN_RETRANSMIT,
                            tRequest, rttMicros, rtoMicros, clientAfterSyn, serverAfterSyn,
                            requestLength, responseLength);
                    default -> throw new AssertionError(b);
                }
            }
        }
        c.sortByTime();
    }

    /** Request, response and an orderly close by either side: 9 or 10 packets, 11 with a retransmission. */
    private void scriptExchange(Conn c, boolean retransmit, long tRequest, long rttMicros,
                                long rtoMicros, int clientAfterSyn, int serverAfterSyn,
                                int requestLength, int responseLength) {
        int clientAfterRequest = clientAfterSyn + requestLength;
        int serverAfterResponse = serverAfterSyn + responseLength;
        c.add(tRequest, FROM_CLIENT, PSH | ACK, clientAfterSyn, serverAfterSyn, requestLength,
                WINDOW_CLIENT);
        if (rng.nextBoolean()) { // otherwise the response carries the ACK
            c.add(tRequest + between(20, 80), FROM_SERVER, ACK, serverAfterSyn, clientAfterRequest,
                    0, WINDOW_SERVER);
        }
        long processingMicros = rng.nextInt(10) < 8 ? between(100, 5_000) : between(5_000, 50_000);
        long tResponse = tRequest + processingMicros;
        c.add(tResponse, FROM_SERVER, PSH | ACK, serverAfterSyn, clientAfterRequest, responseLength,
                WINDOW_SERVER);
        long tResponseDelivered = tResponse;
        if (retransmit) { // the first copy was lost beyond the tap
            tResponseDelivered = tResponse + rtoMicros;
            c.add(tResponseDelivered, FROM_SERVER, PSH | ACK, serverAfterSyn, clientAfterRequest,
                    responseLength, WINDOW_SERVER);
        }
        if (retransmit || rng.nextBoolean()) { // client closes first
            long tClientAck = tResponseDelivered + rttMicros;
            long tClientFin = tClientAck + between(1, 500);
            long tServerFin = tClientFin + between(20, 200);
            c.add(tClientAck, FROM_CLIENT, ACK, clientAfterRequest, serverAfterResponse, 0, WINDOW_CLIENT);
            c.add(tClientFin, FROM_CLIENT, FIN | ACK, clientAfterRequest, serverAfterResponse, 0,
                    WINDOW_CLIENT);
            c.add(tServerFin, FROM_SERVER, FIN | ACK, serverAfterResponse, clientAfterRequest + 1, 0,
                    WINDOW_SERVER);
            c.add(tServerFin + rttMicros, FROM_CLIENT, ACK, clientAfterRequest + 1,
                    serverAfterResponse + 1, 0, WINDOW_CLIENT);
        } else { // server closes right after responding; the client's ACK covers both
            long tClientAck = tResponse + rttMicros;
            long tClientFin = tClientAck + between(1, 500);
            c.add(tResponse + between(5, 50), FROM_SERVER, FIN | ACK, serverAfterResponse,
                    clientAfterRequest, 0, WINDOW_SERVER);
            c.add(tClientAck, FROM_CLIENT, ACK, clientAfterRequest, serverAfterResponse + 1, 0,
                    WINDOW_CLIENT);
            c.add(tClientFin, FROM_CLIENT, FIN | ACK, clientAfterRequest, serverAfterResponse + 1, 0,
                    WINDOW_CLIENT);
            c.add(tClientFin + between(10, 50), FROM_SERVER, ACK, serverAfterResponse + 1,
                    clientAfterRequest + 1, 0, WINDOW_SERVER);
        }
    }

    private int between(int lowInclusive, int highInclusive) {
        return lowInclusive + rng.nextInt(highInclusive - lowInclusive + 1);
    }

    // ---------------------------------------------------------------- main loop

    public static void main(String[] args) {
        boolean flood = false;
        if (args.length >= 2 && args[0].equals("--shape")) {
            if (!args[1].equals("flood") && !args[1].equals("default")) {
                usage("unknown shape '" + args[1] + "' (default, flood)");
            }
            flood = args[1].equals("flood");
            args = java.util.Arrays.copyOfRange(args, 2, args.length);
        }
        if (args.length < 1 || args.length > 2) {
            usage("expected OUT.pcap [connections]");
        }
        Path out = Path.of(args[0]);
        int connections = flood ? FLOOD_DEFAULT_SYNS : DEFAULT_CONNECTIONS;
        if (args.length == 2) {
            try {
                connections = Integer.parseInt(args[1].replace("_", "").replace(",", ""));
            } catch (NumberFormatException e) {
                usage("connections must be a whole number, got '" + args[1] + "'");
            }
            if (connections < 1 || connections > MAX_CONNECTIONS) {
                usage("connections must be between 1 and " + MAX_CONNECTIONS + ", got " + connections);
            }
        }
        try {
            if (flood) {
                new GenCapture().generateFlood(out, connections);
            } else {
                new GenCapture().generate(out, connections);
            }
        } catch (IOException e) {
            System.err.println("GenCapture: cannot write " + out + ": " + e.getMessage());
            System.exit(1);
        }
    }

    private static void usage(String problem) {
        System.err.println("GenCapture: " + problem);
        System.err.println("usage: java bench/GenCapture.java OUT.pcap [connections]   (default "
                + DEFAULT_CONNECTIONS + ")");
        System.err.println("       java bench/GenCapture.java --shape flood OUT.pcap [syns]   (default "
                + FLOOD_DEFAULT_SYNS + ")");
        System.exit(2);
    }

    private void generate(Path out, int connections) throws IOException {
        generate(out, connections, false);
    }

    /**
     * The flood shape: {@code syns} spoofed SYNs, Poisson at {@link #FLOOD_SYNS_PER_SECOND},
     * each from a source address of its own (so every SYN is a connection of its own) to
     * 10.0.0.1:80, sent once (a spoofed source never retries). The listener runs with syncookies
     * off and a SYN queue of {@link #FLOOD_SYN_QUEUE}: while the queue has room a SYN takes a
     * slot and is answered at 0, +1 and +3 s (tcp_synack_retries=2), the slot freed 7 s after
     * the SYN (the last retry's timeout); when the queue is full the SYN is dropped. Ten seconds
     * after the last SYN one healthy client connects, so every SYN is followed by at least ten
     * seconds of capture (none is cut off by the capture's end).
     */
    private void generateFlood(Path out, int syns) throws IOException {
        if (syns > FLOOD_MAX_SYNS) {
            usage("the flood shape has distinct sources for at most " + FLOOD_MAX_SYNS + " SYNs");
        }
        generate(out, syns, true);
    }

    /** The fields of {@code c}'s headers that vary per connection: client TTL, IP IDs, TSval clocks. */
    private void drawHeaderFields(Conn c) {
        c.clientTtl = 64 - between(1, 20);
        c.clientIpId = rng.nextInt(0x10000);
        c.serverIpId = rng.nextInt(0x10000);
        c.clientTsOffset = rng.nextInt();
        c.serverTsOffset = rng.nextInt();
    }

    /** Fills {@code c} with flood SYN number {@code i}, which arrived at {@code c.startMicros}. */
    private void buildFloodSyn(Conn c, int i) {
        while (!synQueueReleases.isEmpty() && synQueueReleases.peekFirst() <= c.startMicros) {
            synQueueReleases.pollFirst();
        }
        boolean queued = synQueueReleases.size() < FLOOD_SYN_QUEUE;
        if (queued) {
            synQueueReleases.addLast(c.startMicros + FLOOD_SLOT_MICROS);
        }
        c.behaviour = queued ? Behaviour.FLOOD_SYNACK_UNANSWERED : Behaviour.FLOOD_SYN_DROPPED;
        // Multiplying by an odd number permutes the 22-bit numbers: distinct, scattered sources.
        c.clientIp = FIRST_FLOOD_SOURCE + (int) ((i * 0x9E3779B1L) & (FLOOD_MAX_SYNS - 1));
        c.clientPort = between(1024, 65_535);
        c.serverIndex = 0;
        drawHeaderFields(c);
        int isnClient = rng.nextInt();
        int isnServer = rng.nextInt();
        c.add(0, FROM_CLIENT, SYN, isnClient, 0, 0, SYN_WINDOW_CLIENT);
        if (queued) {
            long tSynAck = between(10, 60);
            for (long offsetMicros : SYN_RETRY_OFFSETS_MICROS) {
                c.add(tSynAck + offsetMicros, FROM_SERVER, SYN | ACK, isnServer, isnClient + 1, 0,
                        SYN_WINDOW_SERVER);
            }
        }
        c.sortByTime();
    }

    private void generate(Path out, int connections, boolean flood) throws IOException {
        long wallStartNanos = System.nanoTime();
        int kinds = Behaviour.ALL.length;
        long[] connectionsBy = new long[kinds];
        long[] packetsBy = new long[kinds];
        long packets = 0;
        long lastMicros = CAPTURE_START_MICROS;
        int peakOpen = 0;

        ConnHeap open = new ConnHeap();
        Conn[] pool = new Conn[4096];
        int pooled = 0;
        double meanGapMicros = 1e6 / (flood ? FLOOD_SYNS_PER_SECOND : NEW_CONNECTIONS_PER_SECOND);
        double arrivalMicros = CAPTURE_START_MICROS;
        int created = 0;
        // The flood's last connection is the healthy one after it.
        int total = flood ? connections + 1 : connections;

        long bytes;
        try (PcapWriter writer = new PcapWriter(new FileOutputStream(out.toFile()), rng)) {
            while (created < total || open.size() > 0) {
                boolean arrivalFirst = created < total
                        && (open.size() == 0 || (long) arrivalMicros <= open.topKey());
                if (arrivalFirst) {
                    Conn c = pooled > 0 ? pool[--pooled] : new Conn();
                    if (flood && created == connections) {
                        arrivalMicros = lastFloodSynMicros + FLOOD_QUIET_AFTER_MICROS;
                    }
                    c.reset((long) arrivalMicros);
                    if (!flood) {
                        build(c);
                    } else if (created < connections) {
                        buildFloodSyn(c, created);
                        lastFloodSynMicros = c.startMicros;
                    } else {
                        build(c, Behaviour.CLEAN);
                        c.behaviour = Behaviour.FLOOD_AFTER_CLEAN;
                    }
                    connectionsBy[c.behaviour.ordinal()]++;
                    open.push(c);
                    peakOpen = Math.max(peakOpen, open.size());
                    created++;
                    // Poisson arrivals: exponential gaps.
                    arrivalMicros += -Math.log(1.0 - rng.nextDouble()) * meanGapMicros;
                    continue;
                }
                Conn c = open.top();
                lastMicros = c.nextMicros;
                writer.write(c);
                packets++;
                packetsBy[c.behaviour.ordinal()]++;
                if (c.advance()) {
                    open.topKeyIncreased();
                } else {
                    open.removeTop();
                    if (pooled == pool.length) {
                        pool = java.util.Arrays.copyOf(pool, pooled * 2);
                    }
                    pool[pooled++] = c;
                }
            }
            bytes = 24 + writer.bytesWritten;
        }
        double wallSeconds = (System.nanoTime() - wallStartNanos) / 1e9;
        double captureSeconds = (lastMicros - CAPTURE_START_MICROS) / 1e6;
        report(out, total, packets, bytes, captureSeconds, peakOpen, connectionsBy,
                packetsBy, wallSeconds, flood);
    }

    private void report(Path out, int connections, long packets, long bytes, double captureSeconds,
                        int peakOpen, long[] connectionsBy, long[] packetsBy, double wallSeconds,
                        boolean flood) throws IOException {
        StringBuilder text = new StringBuilder();
        text.append(String.format(Locale.ROOT,
                "GenCapture: wrote %s: %,d connections, %,d packets, %,.1f MB, %.2f s of capture,"
                        + " peak %,d open connections, in %.2f s (%,.0f packets/s)%n",
                out, connections, packets, bytes / 1e6, captureSeconds, peakOpen, wallSeconds,
                packets / wallSeconds));
        text.append(String.format(Locale.ROOT, "  %-18s %12s %12s%n", "behaviour", "connections", "packets"));
        StringBuilder json = new StringBuilder();
        json.append("{\n");
        json.append("  \"generator\": \"bench/GenCapture.java\",\n");
        json.append("  \"seed\": ").append(SEED).append(",\n");
        json.append("  \"connections\": ").append(connections).append(",\n");
        json.append("  \"packets\": ").append(packets).append(",\n");
        json.append("  \"bytes\": ").append(bytes).append(",\n");
        json.append("  \"snaplen\": ").append(SNAPLEN).append(",\n");
        json.append("  \"first_ts_micros\": ").append(CAPTURE_START_MICROS).append(",\n");
        json.append(String.format(Locale.ROOT, "  \"capture_seconds\": %.6f,%n", captureSeconds));
        if (flood) {
            json.append("  \"shape\": \"flood\",\n");
            json.append(String.format(Locale.ROOT, "  \"syns_per_second\": %.0f,%n",
                    FLOOD_SYNS_PER_SECOND));
            json.append("  \"syn_queue\": ").append(FLOOD_SYN_QUEUE).append(",\n");
        } else {
            json.append(String.format(Locale.ROOT, "  \"new_connections_per_second\": %.0f,%n",
                    NEW_CONNECTIONS_PER_SECOND));
        }
        json.append("  \"peak_open_connections\": ").append(peakOpen).append(",\n");
        json.append("  \"isn_near_wrap\": ").append(isnNearWrap).append(",\n");
        json.append("  \"servers\": [");
        for (int s = 0; s < SERVER_IPS.length; s++) {
            json.append(s == 0 ? "\"" : ", \"").append(dotted(SERVER_IPS[s])).append(':')
                    .append(SERVER_PORTS[s]).append('"');
        }
        json.append("],\n");
        json.append("  \"behaviours\": {\n");
        int last = 0;
        for (Behaviour b : Behaviour.ALL) {
            if (connectionsBy[b.ordinal()] > 0) {
                last = b.ordinal();
            }
        }
        for (Behaviour b : Behaviour.ALL) {
            int k = b.ordinal();
            if (connectionsBy[k] == 0) {
                continue; // another shape's
            }
            text.append(String.format(Locale.ROOT, "  %-18s %,12d %,12d%n", b.key, connectionsBy[k], packetsBy[k]));
            json.append(String.format(Locale.ROOT, "    \"%s\": {\"connections\": %d, \"packets\": %d}%s%n",
                    b.key, connectionsBy[k], packetsBy[k], k == last ? "" : ","));
        }
        text.append(String.format(Locale.ROOT, "  %-18s %,12d%n", "isn_near_wrap", isnNearWrap));
        json.append("  }\n}\n");
        System.err.print(text);
        Path truth = Path.of(out + ".truth.json");
        Files.writeString(truth, json);
        System.err.println("GenCapture: ground truth in " + truth);
    }

    static int ipv4(int a, int b, int c, int d) {
        return a << 24 | b << 16 | c << 8 | d;
    }

    static String dotted(int ip) {
        return (ip >>> 24) + "." + (ip >>> 16 & 0xff) + "." + (ip >>> 8 & 0xff) + "." + (ip & 0xff);
    }
}
