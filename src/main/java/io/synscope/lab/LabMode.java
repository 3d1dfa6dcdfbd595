package io.synscope.lab;

import com.fasterxml.jackson.annotation.JsonValue;

import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * One lab mode: how the two namespaces are set up, what the server and the client programs do,
 * and what the capture should show. {@link #ALL} is the only place modes are defined.
 *
 * @param name          the mode's name on the command line and its capture's file name
 * @param summary       one line for {@code synscope lab --list}
 * @param server        the listening program, or null when nothing listens
 * @param sysctls       set in the server namespace (client: {@code tcp_syn_retries})
 * @param paceSynAcks   tc tbf on the server's veth: SYN-ACKs ~12 ms apart, so that a burst of
 *                      SYNs is admitted before the first ACK fills the accept queue
 * @param spoofedSyns   SYNs from spoofed addresses (10.77.0.101 …) sent before the client's own
 * @param ipv6          fd77::1 ↔ fd77::2 instead of 10.77.0.1 ↔ 10.77.0.2
 * @param captureSide   which veth end {@code MODE.pcap} is captured on
 * @param script        what the client program does
 * @param burst         simultaneous connect()s of the burst scripts
 * @param variants      extra captures of the same run, made with {@code --variants}
 * @param relay         the lossy path between the two namespaces, or null for a direct veth;
 *                      a run through it is captured on both sides (where a frame was dropped
 *                      decides what each side can see), {@code MODE.pcap} and
 *                      {@code MODE.client.pcap}, each with its own truth
 * @param intended      verdict/outcome counts the mode is meant to show; the truth decides
 *                      what a run did show (bursts are races), this only says whether it hit
 */
public record LabMode(String name, String summary, Server server, Sysctls sysctls,
                      boolean paceSynAcks, int spoofedSyns, boolean ipv6, Side captureSide,
                      Script script, int burst, Set<Variant> variants, Relay relay,
                      String intended) {

    /** The listening program: {@code new ServerSocket(port, backlog)} and what it does. */
    public record Server(int backlog, Handler handler, Api api, boolean gated) {
    }

    /** What the server does with each connection it accepts. */
    public enum Handler {
        /** Read the request, reply, read until EOF, close (FIN). */
        REPLY_WAIT_EOF,
        /** Read the request, reply, close at once (FIN). */
        REPLY_CLOSE,
        /** Read the request, reply, 100 ms later close with SO_LINGER 0 (RST). */
        REPLY_LINGER0,
        /** Read nothing; once the request has arrived, close: RST for the unread bytes. */
        CLOSE_UNREAD,
        /** Read a BULK upload, send the download, read until EOF, close. */
        BULK,
        /**
         * Speak first, like an SMTP or SSH server: a {@link #BANNER_BYTES} banner, then
         * REPLY_WAIT_EOF.
         */
        BANNER
    }

    /** The banner of {@link Handler#BANNER}: {@code HELLO <client port> ....\n}. */
    public static final int BANNER_BYTES = 32;

    /**
     * How the server listens. The API decides how close() behaves: JDK 17's
     * {@code java.net.Socket} calls {@code shutdown(SHUT_WR)} before {@code close()} (FIN, then
     * RST for unread data); a {@code SocketChannel} just closes (RST alone, like C).
     */
    public enum Api { SOCKET, CHANNEL }

    public enum Side { SERVER, CLIENT }

    /** Extra captures of one run; each gets its own {@code .expected.json} with the same truth. */
    public enum Variant {
        /** {@code MODE.client.pcap}: the client's veth end. */
        CLIENT_SIDE("client.pcap"),
        /** {@code MODE.sll.pcap}: {@code tcpdump -i any -y LINUX_SLL} in the server namespace. */
        ANY_SLL("sll.pcap"),
        /** {@code MODE.sll2.pcap}: {@code tcpdump -i any -y LINUX_SLL2}. */
        ANY_SLL2("sll2.pcap"),
        /** {@code MODE.ng.pcapng}: dumpcap on the server veth (pcapng as dumpcap writes it). */
        PCAPNG_LIVE("ng.pcapng"),
        /** {@code MODE.ng.pcapng}: {@code editcap -F pcapng MODE.pcap}. */
        PCAPNG_COPY("ng.pcapng");

        private final String suffix;

        Variant(String suffix) {
            this.suffix = suffix;
        }

        public String fileName(String mode) {
            return mode + "." + suffix;
        }
    }

    /** The client program's script; see {@link LabClient}. */
    public enum Script {
        /** 3 connections one after another: request, 48 B reply, close. */
        SEQUENTIAL,
        /** connect()s to a port nothing listens on. */
        CLOSED_PORT,
        /** 200 KiB up, 200 KiB down. */
        BULK,
        /** Accept queue filled by 2 unaccepted connections; 2 more time out, a 5th gets in late. */
        ACCEPT_QUEUE_FULL_AT_SYN,
        /** backlog−1 queued, then a burst; accept one at 1.2 s, all at 7.5 s. */
        BURST_ACCEPT_ONE_THEN_ALL,
        /** backlog−1 queued, then a burst; accept all at 1.2 s. */
        BURST_ACCEPT_ALL,
        /** Request, then the server closes it unread; wait 200 ms after EOF, close. */
        UNREAD,
        /** Request, reply, wait for the server's close, close. */
        REPLY_THEN_EOF,
        /** Request, reply, EOF, then write twice more. */
        WRITE_AFTER_CLOSE,
        /** Request, reply, close with SO_LINGER 0. */
        CLIENT_LINGER0,
        /** One exchange, the driver makes the server forget it, a second request. */
        HALF_OPEN,
        /** The spoofed SYNs, then one exchange, closed after the SYN-ACK retransmissions. */
        FLOOD_THEN_ONE,
        /** One exchange, then 2 connect()s to the next port, where nothing listens. */
        IPV6,
        /**
         * One exchange; the path to the server goes silent; a second request is retransmitted
         * until TCP_USER_TIMEOUT abandons it; the path comes back and a new connection works.
         */
        STALLED,
        /**
         * {@link #PARALLEL_WORKERS} threads, each making {@link #PARALLEL_EACH} connections one
         * after another: request, {@link #PARALLEL_REPLY_BYTES} reply, close.
         */
        PARALLEL,
        /** 3 connections one after another: read the banner, request, 48 B reply, close. */
        SERVER_FIRST
    }

    static final int PARALLEL_WORKERS = 8;
    static final int PARALLEL_EACH = 30;
    /** Several segments, so that data is lost too, and all sent at once (initial cwnd 10). */
    static final int PARALLEL_REPLY_BYTES = 8192;

    /**
     * The lossy path: a middle namespace whose relay ({@link LabRelay}) forwards every frame
     * between the client's and the server's veth after {@code delayMillis} ± {@code jitterMillis}
     * (uniform), drops {@code lossPercent} of the TCP frames at random, and drops the frames
     * {@code drop} names.
     */
    public record Relay(int delayMillis, int jitterMillis, double lossPercent, Drop drop) {
        /** As measured for kernel-signatures.md's lossy-path section: 15 ± 5 ms one way, 1.5 %. */
        static final Relay MEASURED = new Relay(15, 5, 1.5, Drop.NONE);

        /** The same delay without random loss, dropping {@code d}. */
        static Relay dropping(Drop d) {
            return new Relay(MEASURED.delayMillis, MEASURED.jitterMillis, 0, d);
        }
    }

    /** Frames the relay drops on purpose, besides random loss. */
    public enum Drop {
        NONE,
        /** Each connection's first pure ACK from the client: its handshake ACK. */
        HANDSHAKE_ACK,
        /** Each connection's first SYN-ACK from the server. */
        FIRST_SYNACK;

        @JsonValue
        String key() {
            return LabJson.key(this);
        }
    }

    /** Sysctls of the run: server namespace, and the client's SYN retries. */
    public record Sysctls(int somaxconn, int abortOnOverflow, int syncookies, int maxSynBacklog,
                          int synackRetries, int clientSynRetries) {
        /** Kernel defaults, except fewer retries so that each run takes seconds. */
        static final Sysctls LAB = new Sysctls(4096, 0, 1, 256, 2, 2);

        Sysctls abortOnOverflow(int v) {
            return new Sysctls(somaxconn, v, syncookies, maxSynBacklog, synackRetries, clientSynRetries);
        }

        Sysctls syncookies(int v) {
            return new Sysctls(somaxconn, abortOnOverflow, v, maxSynBacklog, synackRetries, clientSynRetries);
        }

        Sysctls synackRetries(int v) {
            return new Sysctls(somaxconn, abortOnOverflow, syncookies, maxSynBacklog, v, clientSynRetries);
        }

        Sysctls clientSynRetries(int v) {
            return new Sysctls(somaxconn, abortOnOverflow, syncookies, maxSynBacklog, synackRetries, v);
        }
    }

    public static final int PORT = 8080;

    private static final Server PLAIN = new Server(16, Handler.REPLY_WAIT_EOF, Api.SOCKET, false);

    /** Every mode, in the order of {@code --list} and {@code --all}. */
    public static final List<LabMode> ALL = List.of(
            mode("ok", "3 clean exchanges, one after another", PLAIN, Script.SEQUENTIAL)
                    .withVariants(Variant.PCAPNG_COPY).withIntended("ok/ok=3"),
            mode("bulk-ok", "200 KiB each way: GSO super-segments and zero windows, all fine",
                    new Server(16, Handler.BULK, Api.SOCKET, false), Script.BULK)
                    .withIntended("ok/ok=1"),
            mode("refused", "3 connect()s, nothing listening", null, Script.CLOSED_PORT)
                    .withIntended("refused/failed=3"),
            mode("syn-dropped-accept-queue",
                    "backlog 1, never accepting: new SYNs dropped while the accept queue is full",
                    new Server(1, Handler.REPLY_WAIT_EOF, Api.SOCKET, true),
                    Script.ACCEPT_QUEUE_FULL_AT_SYN)
                    .withIntended("ok/ok=2 syn-dropped/failed=2 syn-dropped/recovered=1"),
            mode("syn-dropped-syn-queue",
                    "tcp_syncookies=0, 5 spoofed SYNs fill the SYN queue: the client's SYN is dropped",
                    new Server(4, Handler.REPLY_WAIT_EOF, Api.SOCKET, false), Script.FLOOD_THEN_ONE)
                    .withSysctls(Sysctls.LAB.syncookies(0).synackRetries(1).clientSynRetries(3))
                    .withSpoofed(5).withIntended("synack-unanswered/failed=5 syn-dropped/recovered=1"),
            mode("syncookies",
                    "the same flood with syncookies on: one more spoofed SYN, cookies, client ok",
                    new Server(4, Handler.REPLY_WAIT_EOF, Api.SOCKET, false), Script.FLOOD_THEN_ONE)
                    .withSpoofed(6).withIntended("synack-unanswered/failed=6 ok/ok=1"),
            mode("ack-ignored",
                    "accept queue full, tcp_abort_on_overflow=0: ACKs dropped, SYN-ACKs resent",
                    new Server(4, Handler.REPLY_WAIT_EOF, Api.SOCKET, true),
                    Script.BURST_ACCEPT_ONE_THEN_ALL)
                    .withSysctls(Sysctls.LAB.synackRetries(1)).paced().withBurst(5)
                    .withVariants(Variant.CLIENT_SIDE)
                    .withIntended("ok/ok=5 ack-ignored/recovered=1 ack-ignored/failed=2"),
            mode("ack-ignored-cookies",
                    "accept queue full and SYN queue over: cookie ACKs dropped even with abort_on_overflow=1",
                    new Server(4, Handler.REPLY_WAIT_EOF, Api.SOCKET, true), Script.BURST_ACCEPT_ALL)
                    .withSysctls(Sysctls.LAB.abortOnOverflow(1).synackRetries(1)).paced().withBurst(8)
                    .withIntended("ok/ok=5 overflow-reset/failed=3 ack-ignored/recovered=3"),
            mode("overflow-reset",
                    "accept queue full, tcp_abort_on_overflow=1: handshake ACKs answered by RST",
                    new Server(4, Handler.REPLY_WAIT_EOF, Api.SOCKET, true), Script.BURST_ACCEPT_ALL)
                    .withSysctls(Sysctls.LAB.abortOnOverflow(1).synackRetries(1)).paced().withBurst(5)
                    .withVariants(Variant.ANY_SLL, Variant.ANY_SLL2)
                    .withIntended("ok/ok=5 overflow-reset/failed=3"),
            mode("rst-unread-data",
                    "server closes with the request unread (SocketChannel): RST, no FIN",
                    new Server(16, Handler.CLOSE_UNREAD, Api.CHANNEL, false), Script.UNREAD)
                    .withIntended("rst-unread-data/failed=2"),
            mode("rst-unread-data-after-fin",
                    "the same with java.net.Socket: FIN first, then RST",
                    new Server(16, Handler.CLOSE_UNREAD, Api.SOCKET, false), Script.UNREAD)
                    .withIntended("rst-unread-data/failed=2"),
            mode("write-after-close",
                    "server replies and closes; the client writes after EOF: stateless RST",
                    new Server(16, Handler.REPLY_CLOSE, Api.SOCKET, false), Script.WRITE_AFTER_CLOSE)
                    .withIntended("rst-unread-data/failed=2"),
            mode("rst-linger0", "server replies, then closes with SO_LINGER 0",
                    new Server(16, Handler.REPLY_LINGER0, Api.SOCKET, false), Script.REPLY_THEN_EOF)
                    .withVariants(Variant.PCAPNG_LIVE).withIntended("rst-linger0/ok=2"),
            mode("client-linger0", "client reads the reply, closes with SO_LINGER 0", PLAIN,
                    Script.CLIENT_LINGER0)
                    .withIntended("rst-linger0/ok=2"),
            mode("synack-unanswered",
                    "3 spoofed SYNs whose SYN-ACKs nobody answers, then one real connection",
                    PLAIN, Script.FLOOD_THEN_ONE)
                    .withSpoofed(3).withIntended("synack-unanswered/failed=3 ok/ok=1"),
            mode("half-open",
                    "the server host forgets the connection; the client's next request is reset",
                    PLAIN, Script.HALF_OPEN)
                    .withSide(Side.CLIENT).withIntended("half-open-reset/failed=1"),
            mode("stalled",
                    "the path to the server goes silent after one exchange: retransmitted, abandoned",
                    PLAIN, Script.STALLED)
                    .withSide(Side.CLIENT).withIntended("stalled/failed=1 ok/ok=1"),
            mode("ipv6", "fd77::1 → fd77::2: one exchange, two connect()s to a closed port",
                    PLAIN, Script.IPV6)
                    .withIpv6().withIntended("ok/ok=1 refused/failed=2"),
            mode("lossy-ok",
                    "240 exchanges through a path with 15 ± 5 ms delay and 1.5 % loss: all fine",
                    new Server(128, Handler.REPLY_WAIT_EOF, Api.SOCKET, false), Script.PARALLEL)
                    .withRelay(Relay.MEASURED).withIntended("ok/ok=240"),
            mode("handshake-ack-lost",
                    "the server speaks first; the path loses each client's handshake ACK",
                    new Server(16, Handler.BANNER, Api.SOCKET, false), Script.SERVER_FIRST)
                    .withRelay(Relay.dropping(Drop.HANDSHAKE_ACK)).withIntended("ok/ok=3"),
            mode("synack-lost", "the path loses each connection's first SYN-ACK", PLAIN,
                    Script.SEQUENTIAL)
                    .withRelay(Relay.dropping(Drop.FIRST_SYNACK)).withIntended("ok/ok=3"));

    /** The mode named {@code name}. */
    public static Optional<LabMode> byName(String name) {
        return ALL.stream().filter(m -> m.name.equals(name)).findFirst();
    }

    /** The run's client port numbers start above this: the n-th connection binds base + n. */
    static final int CLIENT_PORT_BASE = 40000;
    /** Spoofed SYN n comes from 10.77.0.(100 + n), port SPOOF_PORT_BASE + n. */
    static final int SPOOF_PORT_BASE = 50000;

    String clientIp() {
        return ipv6 ? "fd77::1" : "10.77.0.1";
    }

    String serverIp() {
        return ipv6 ? "fd77::2" : "10.77.0.2";
    }

    /** The source address of spoofed SYN {@code n} (from 1). */
    static String spoofedIp(int n) {
        return "10.77.0." + (100 + n);
    }

    // ---- table helpers: a mode starts from the lab's defaults and changes what it needs ----

    private static LabMode mode(String name, String summary, Server server, Script script) {
        return new LabMode(name, summary, server, Sysctls.LAB, false, 0, false, Side.SERVER,
                script, 0, Set.of(), null, "");
    }

    private LabMode withSysctls(Sysctls s) {
        return new LabMode(name, summary, server, s, paceSynAcks, spoofedSyns, ipv6, captureSide,
                script, burst, variants, relay, intended);
    }

    private LabMode paced() {
        return new LabMode(name, summary, server, sysctls, true, spoofedSyns, ipv6, captureSide,
                script, burst, variants, relay, intended);
    }

    private LabMode withSpoofed(int n) {
        return new LabMode(name, summary, server, sysctls, paceSynAcks, n, ipv6, captureSide,
                script, burst, variants, relay, intended);
    }

    private LabMode withIpv6() {
        return new LabMode(name, summary, server, sysctls, paceSynAcks, spoofedSyns, true,
                captureSide, script, burst, variants, relay, intended);
    }

    private LabMode withSide(Side s) {
        return new LabMode(name, summary, server, sysctls, paceSynAcks, spoofedSyns, ipv6, s,
                script, burst, variants, relay, intended);
    }

    private LabMode withBurst(int n) {
        return new LabMode(name, summary, server, sysctls, paceSynAcks, spoofedSyns, ipv6,
                captureSide, script, n, variants, relay, intended);
    }

    private LabMode withVariants(Variant... v) {
        return new LabMode(name, summary, server, sysctls, paceSynAcks, spoofedSyns, ipv6,
                captureSide, script, burst, Set.of(v), relay, intended);
    }

    private LabMode withRelay(Relay r) {
        return new LabMode(name, summary, server, sysctls, paceSynAcks, spoofedSyns, ipv6,
                captureSide, script, burst, variants, r, intended);
    }

    private LabMode withIntended(String counts) {
        return new LabMode(name, summary, server, sysctls, paceSynAcks, spoofedSyns, ipv6,
                captureSide, script, burst, variants, relay, counts);
    }
}
