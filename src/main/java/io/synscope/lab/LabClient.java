package io.synscope.lab;

import io.synscope.lab.Truth.ClientClose;
import io.synscope.lab.Truth.ConnectResult;
import io.synscope.diagnose.HostPort;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketTimeoutException;
import java.net.StandardProtocolFamily;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/**
 * The lab's client program, run by the driver in the client namespace as a child JVM:
 *
 * <pre>
 * LabClient --mode MODE --truth FILE --spoof-truth FILE
 * </pre>
 *
 * <p>Runs the mode's {@link LabMode.Script}. Every connection binds an explicit local port
 * (40001, 40002, … in creation order) so that its port is known even when connect() fails, and
 * connects with a non-blocking {@code SocketChannel} so that a burst's SYNs leave within
 * microseconds; then it reads and writes through the channel's blocking socket adaptor.
 *
 * <p>Talks to the driver over stdio, one line each: {@code GATE n} / {@code GATE all} (the
 * driver passes it to the server's accept gate) and {@code HOOK forget|silence|heal PORT} (the
 * driver makes the server host forget the connection, or the path to the server drop
 * everything, or work again; then it answers {@code DONE} on stdin).
 *
 * <p>Truth: one JSON line ({@link Truth.Client}) per connection in the truth file, written at
 * the end: connect() result and duration, every write, the reply read, and a TCP_INFO
 * snapshot ({@link TcpInfo}) when a reply is late or a read times out; spoofed SYNs'
 * truth ({@link Truth.Spoofed}) in the spoof truth file.
 */
public final class LabClient {
    private static final long CONNECT_LIMIT_MILLIS = 30_000;
    private static final int SMALL_REPLY_BYTES = 16;
    private static final long LATE_REPLY_MILLIS = 1000;
    /**
     * STALLED: TCP_USER_TIMEOUT, after which the kernel abandons unacknowledged data. Seen on
     * 6.18: retransmissions ~0.2, 0.4, 0.85, 1.7, 3.3 s after the request (a tail loss probe,
     * then the RTO doubling from 200 ms), and the abort comes after the retransmission in
     * progress when the timeout expires, so the last one lands near 1.7 s with this value.
     */
    private static final int USER_TIMEOUT_MILLIS = 2000;
    /**
     * STALLED: silence kept after the abort, so that the capture shows nothing more came for
     * over 3 s after the last retransmission (less reads as a capture cut while retrying).
     */
    private static final long AFTER_ABORT_MILLIS = 3000;
    /** Spoofed SYN-ACKs are resent after ~1 s and ~3 s: the run lasts until they are captured. */
    private static final long AFTER_FLOOD_MILLIS = 4500;

    private final LabMode mode;
    private final InetSocketAddress server;
    private final InetAddress clientIp;
    private final BufferedReader driver;
    private final List<Conn> conns = new ArrayList<>();
    private final List<Thread> workers = new ArrayList<>();
    private final List<Truth.Spoofed> spoofed = new ArrayList<>();

    private LabClient(LabMode mode) throws IOException {
        this.mode = mode;
        this.server = new InetSocketAddress(InetAddress.getByName(mode.serverIp()), LabMode.PORT);
        this.clientIp = InetAddress.getByName(mode.clientIp());
        this.driver = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.US_ASCII));
    }

    public static void main(String[] args) throws Exception {
        Args a = new Args(args);
        LabMode mode = LabMode.byName(a.get("--mode"))
                .orElseThrow(() -> new IllegalArgumentException("unknown mode " + a.get("--mode")));
        LabClient lab = new LabClient(mode);
        try {
            lab.runScript();
        } finally {
            LabJson.writeLines(Path.of(a.get("--truth")),
                    lab.conns.stream().map(Conn::truth).toList());
            LabJson.writeLines(Path.of(a.get("--spoof-truth")), lab.spoofed);
        }
    }

    private void runScript() throws Exception {
        switch (mode.script()) {
            case SEQUENTIAL -> oneAfterAnother(3, 48, c -> close(c, false));
            case CLOSED_PORT -> connectToClosedPort(3, server);
            case BULK -> bulk();
            case ACCEPT_QUEUE_FULL_AT_SYN -> acceptQueueFullAtSyn();
            case BURST_ACCEPT_ONE_THEN_ALL -> acceptQueueBurst(true);
            case BURST_ACCEPT_ALL -> acceptQueueBurst(false);
            // The server closes with the request unread; the read sees the RST or, after
            // java.net.Socket's FIN, EOF. Our close() waits: our FIN arriving between the
            // server's shutdown() and close() would retire its socket quietly, without a RST.
            case UNREAD -> oneAfterAnother(2, SMALL_REPLY_BYTES, c -> {
                if (c.eof) {
                    Thread.sleep(200);
                }
                close(c, false);
            });
            case REPLY_THEN_EOF -> oneAfterAnother(2, SMALL_REPLY_BYTES, c -> {
                readEof(c, 2000);
                close(c, false);
            });
            case WRITE_AFTER_CLOSE -> oneAfterAnother(2, SMALL_REPLY_BYTES, c -> {
                readEof(c, 2000);
                Thread.sleep(50);
                write(c, "MORE 1\n".getBytes(StandardCharsets.US_ASCII));
                // The first write draws the RST; the second one then fails.
                Thread.sleep(200);
                write(c, "MORE 2\n".getBytes(StandardCharsets.US_ASCII));
                close(c, false);
            });
            case CLIENT_LINGER0 -> oneAfterAnother(2, SMALL_REPLY_BYTES, c -> {
                Thread.sleep(50);
                close(c, true);
            });
            case HALF_OPEN -> oneAfterAnother(1, SMALL_REPLY_BYTES, c -> {
                hook(c, "forget", "the server host forgot it");
                Thread.sleep(300);
                request(c, SMALL_REPLY_BYTES);
                readReply(c, 5000, 0);
                close(c, false);
            });
            case FLOOD_THEN_ONE -> {
                long floodNanos = System.nanoTime();
                List<InetAddress> sources = new ArrayList<>();
                for (int n = 1; n <= mode.spoofedSyns(); n++) {
                    sources.add(InetAddress.getByName(LabMode.spoofedIp(n)));
                }
                spoofed.addAll(SpoofedSyns.send(sources, server.getAddress(), server.getPort(),
                        LabMode.SPOOF_PORT_BASE));
                // Closed only after the spoofed SYN-ACKs' retransmissions: its FIN exchange
                // ends the capture well after the last SYN-ACK, which a capture must show to
                // tell an unanswered SYN-ACK from one cut off by the capture's end.
                oneAfterAnother(1, 48, c -> {
                    sleepUntil(floodNanos + AFTER_FLOOD_MILLIS * 1_000_000L);
                    close(c, false);
                });
            }
            case IPV6 -> {
                oneAfterAnother(1, 48, c -> close(c, false));
                connectToClosedPort(2, new InetSocketAddress(server.getAddress(), server.getPort() + 1));
            }
            case STALLED -> stalled();
            case PARALLEL -> {
                for (int w = 0; w < LabMode.PARALLEL_WORKERS; w++) {
                    async(() -> oneAfterAnother(LabMode.PARALLEL_EACH, LabMode.PARALLEL_REPLY_BYTES,
                            c -> close(c, false)));
                }
            }
            // The banner first: the client sends nothing until the server has spoken.
            case SERVER_FIRST -> oneAfterAnother(3, c -> {
                c.expectedReplyBytes += LabMode.BANNER_BYTES;
                readReply(c, 5000, 0);
            }, 48, c -> close(c, false));
        }
        for (Thread t : workers) {
            t.join();
        }
    }

    /** {@code n} connections, one after another: connect, request, reply, then {@code ending}. */
    private void oneAfterAnother(int n, int replyBytes, ConnStep ending) throws Exception {
        oneAfterAnother(n, c -> { }, replyBytes, ending);
    }

    /** As above, with {@code opening} between connect and request. */
    private void oneAfterAnother(int n, ConnStep opening, int replyBytes, ConnStep ending)
            throws Exception {
        for (int i = 0; i < n; i++) {
            Conn c = conn("client", server);
            if (connect(c)) {
                opening.run(c);
                request(c, replyBytes);
                readReply(c, 5000, 0);
                ending.run(c);
            }
            Thread.sleep(100);
        }
    }

    private interface ConnStep {
        void run(Conn c) throws Exception;
    }

    private interface Action {
        void run() throws Exception;
    }

    private void connectToClosedPort(int n, InetSocketAddress closedPort) throws Exception {
        for (int i = 0; i < n; i++) {
            connect(conn("client", closedPort));
            Thread.sleep(100);
        }
    }

    private void bulk() throws IOException {
        Conn c = conn("client", server);
        if (connect(c)) {
            int bytes = 200 * 1024;
            c.expectedReplyBytes += bytes;
            byte[] head = ("BULK " + c.id + " " + bytes + " " + bytes + "\n").getBytes(StandardCharsets.US_ASCII);
            byte[] payload = Arrays.copyOf(head, head.length + bytes);
            Arrays.fill(payload, head.length, payload.length, (byte) 'u');
            write(c, payload);
            readReply(c, 10_000, 0);
            close(c, false);
        }
    }

    /**
     * Backlog 1, never accepting: two connections fill the accept queue (it holds backlog + 1),
     * two more connect() calls time out because their SYNs are dropped, a fifth starts while the
     * queue is still full and gets in once the gate opens and the server drains the queue.
     */
    private void acceptQueueFullAtSyn() throws Exception {
        gate("0");
        queued(2, System.nanoTime() + 15_000_000_000L);
        connectAll(List.of(conn("dropped", server), conn("dropped", server)));
        Conn late = conn("late", server);
        async(() -> {
            if (connect(late)) {
                request(late, SMALL_REPLY_BYTES);
                readReply(late, 5000, 0);
                close(late, false);
            }
        });
        Thread.sleep(500);
        gate("all");
    }

    /**
     * One exchange; then the driver makes the server's end of the link drop everything that
     * arrives, and the client, with TCP_USER_TIMEOUT set, sends a second request. Nothing
     * acknowledges it: the kernel retransmits it until the user timeout abandons the connection,
     * and the blocked read fails with {@code Connection timed out}. A TCP_INFO snapshot shortly
     * before the abort records the unacknowledged segment and its retransmissions (after the
     * abort the kernel has purged them). After a quiet spell the driver restores the path and
     * a new connection works: the old one is gone for good, not merely delayed.
     */
    private void stalled() throws Exception {
        Conn c = conn("client", server);
        if (!connect(c)) {
            return;
        }
        request(c, SMALL_REPLY_BYTES);
        readReply(c, 5000, 0);
        Native.setUserTimeout(c.ch, USER_TIMEOUT_MILLIS);
        c.event("TCP_USER_TIMEOUT set to " + USER_TIMEOUT_MILLIS + " ms");
        hook(c, "silence", "the path to the server drops everything");
        request(c, SMALL_REPLY_BYTES);
        readReply(c, 2L * USER_TIMEOUT_MILLIS, USER_TIMEOUT_MILLIS - 1000);
        Thread.sleep(AFTER_ABORT_MILLIS);
        close(c, false);
        hook(c, "heal", "the path to the server works again");
        oneAfterAnother(1, SMALL_REPLY_BYTES, n -> close(n, false));
    }

    /**
     * The server listens with backlog B and does not accept; B − 1 connections sit in the
     * accept queue, then {@code burst} SYNs go out at once. With the server's SYN-ACKs paced by
     * tc tbf, all of them are admitted (as requests in the SYN queue, which holds B + 1, the
     * rest as SYN cookies) before their ACKs return; the ACKs then find the accept queue full.
     * {@code acceptOneFirst}: the gate lets one connection be accepted 1.2 s after the burst
     * (one retransmitting client can get in) and all at 7.5 s; otherwise all at 1.2 s.
     */
    private void acceptQueueBurst(boolean acceptOneFirst) throws Exception {
        gate("0");
        long deadline = System.nanoTime() + (acceptOneFirst ? 13_000 : 6_000) * 1_000_000L;
        queued(mode.server().backlog() - 1, deadline);
        List<Conn> burst = new ArrayList<>();
        for (int i = 0; i < mode.burst(); i++) {
            burst.add(conn("burst", server));
        }
        connectAll(burst);
        long burstDone = System.nanoTime();
        for (Conn c : burst) {
            if (c.connected) {
                request(c, SMALL_REPLY_BYTES);
            }
        }
        for (Conn c : burst) {
            if (c.connected) {
                async(() -> {
                    readReply(c, remainingMillis(deadline), LATE_REPLY_MILLIS);
                    close(c, false);
                });
            }
        }
        sleepUntil(burstDone + 1_200_000_000L);
        if (acceptOneFirst) {
            gate("1");
            sleepUntil(burstDone + 7_500_000_000L);
        }
        gate("all");
    }

    /** {@code n} connections the server does not accept yet: each sends its request and waits. */
    private void queued(int n, long deadlineNanos) throws Exception {
        for (int i = 0; i < n; i++) {
            Conn c = conn("queued", server);
            if (connect(c)) {
                request(c, SMALL_REPLY_BYTES);
                async(() -> {
                    readReply(c, remainingMillis(deadlineNanos), 0);
                    close(c, false);
                });
            }
        }
    }

    // ---- connection primitives ---------------------------------------------------------

    /** Synchronized: the PARALLEL script's workers make connections at the same time. */
    private synchronized Conn conn(String role, InetSocketAddress remote) {
        Conn c = new Conn("c" + (conns.size() + 1), role, clientIp,
                LabMode.CLIENT_PORT_BASE + conns.size() + 1, remote);
        conns.add(c);
        return c;
    }

    private boolean connect(Conn c) throws IOException {
        connectAll(List.of(c));
        return c.connected;
    }

    /** Starts every connect() before finishing any, so a burst's SYNs leave back to back. */
    private void connectAll(List<Conn> cs) throws IOException {
        try (Selector selector = Selector.open()) {
            int pending = 0;
            for (Conn c : cs) {
                c.ch = SocketChannel.open(clientIp.getAddress().length == 4
                        ? StandardProtocolFamily.INET : StandardProtocolFamily.INET6);
                c.ch.bind(new InetSocketAddress(clientIp, c.port));
                c.ch.configureBlocking(false);
                c.startNanos = System.nanoTime();
                c.startEpochMicros = Args.epochMicros();
                try {
                    if (c.ch.connect(c.remote)) {
                        c.connectDone(null);
                    } else {
                        c.ch.register(selector, SelectionKey.OP_CONNECT, c);
                        pending++;
                    }
                } catch (IOException e) {
                    c.connectDone(e);
                }
            }
            long limit = System.nanoTime() + CONNECT_LIMIT_MILLIS * 1_000_000L;
            while (pending > 0 && System.nanoTime() < limit) {
                selector.select(Math.max(1, (limit - System.nanoTime()) / 1_000_000L));
                for (SelectionKey k : selector.selectedKeys()) {
                    Conn c = (Conn) k.attachment();
                    try {
                        c.ch.finishConnect();
                        c.connectDone(null);
                    } catch (IOException e) {
                        c.connectDone(e);
                    }
                    k.cancel();
                    pending--;
                }
                selector.selectedKeys().clear();
            }
            for (SelectionKey k : selector.keys()) {
                if (k.isValid()) {
                    Conn c = (Conn) k.attachment();
                    c.connectResult = ConnectResult.GAVE_UP;
                    c.connectMillis = c.sinceStartMillis();
                    c.event("connect() still pending after " + CONNECT_LIMIT_MILLIS + " ms; gave up");
                    k.cancel();
                }
            }
            // Deregistration completes only at the next select.
            selector.selectNow();
        }
        for (Conn c : cs) {
            if (c.connected) {
                c.ch.configureBlocking(true);
                c.in = c.ch.socket().getInputStream();
                c.out = c.ch.socket().getOutputStream();
            } else {
                c.ch.close();
            }
        }
    }

    private void request(Conn c, int replyBytes) {
        c.expectedReplyBytes += replyBytes;
        write(c, ("REQ " + c.id + " " + replyBytes + "\n").getBytes(StandardCharsets.US_ASCII));
    }

    private void write(Conn c, byte[] data) {
        double ms = c.sinceStartMillis();
        boolean afterEof = c.eof;
        String head = new String(data, 0, Math.min(data.length, 40), StandardCharsets.US_ASCII).strip();
        String exception = null;
        try {
            c.out.write(data);
            c.out.flush();
            c.bytesWritten += data.length;
            c.event("wrote " + data.length + " B");
        } catch (IOException e) {
            exception = e.toString();
            c.event("write threw " + exception);
        }
        c.writes.add(new Truth.Write(ms, data.length, afterEof, head, exception));
    }

    /**
     * Reads until all expected reply bytes arrived, EOF, an error or the timeout. If nothing of
     * this reply has arrived after {@code lateMillis} (0 = never), takes a TCP_INFO snapshot once.
     */
    private void readReply(Conn c, long timeoutMillis, long lateMillis) {
        long before = c.replyBytes;
        long deadline = System.nanoTime() + timeoutMillis * 1_000_000L;
        long lateAt = lateMillis > 0 ? System.nanoTime() + lateMillis * 1_000_000L : Long.MAX_VALUE;
        byte[] buf = new byte[16384];
        try {
            while (c.replyBytes < c.expectedReplyBytes) {
                long until = Math.min(deadline, c.replyBytes == before ? lateAt : Long.MAX_VALUE);
                c.ch.socket().setSoTimeout((int) Math.max(1, (until - System.nanoTime()) / 1_000_000L));
                int r;
                try {
                    r = c.in.read(buf, 0, (int) Math.min(buf.length, c.expectedReplyBytes - c.replyBytes));
                } catch (SocketTimeoutException e) {
                    if (System.nanoTime() >= deadline) {
                        c.readTimedOut = true;
                        c.event("read timed out after " + timeoutMillis + " ms");
                        c.snapshot("read-timeout");
                        return;
                    }
                    c.snapshot("no-reply-after-" + lateMillis + "ms");
                    lateAt = Long.MAX_VALUE;
                    continue;
                }
                if (r < 0) {
                    c.eof = true;
                    c.eofMillis = c.sinceStartMillis();
                    c.event("EOF after " + c.replyBytes + " B of reply");
                    return;
                }
                if (c.replyBytes == 0) {
                    c.firstByteMillis = c.sinceStartMillis();
                }
                c.replyBytes += r;
            }
            c.replyCompleteMillis = c.sinceStartMillis();
            c.event("read " + c.replyBytes + " B reply (complete)");
        } catch (IOException e) {
            c.readFailed(e);
        }
    }

    /** After a complete reply: waits for the server's FIN (EOF) or an error. */
    private void readEof(Conn c, long timeoutMillis) {
        if (c.eof || c.readException != null) {
            return;
        }
        try {
            c.ch.socket().setSoTimeout((int) timeoutMillis);
            int r = c.in.read(new byte[64]);
            if (r < 0) {
                c.eof = true;
                c.eofMillis = c.sinceStartMillis();
                c.event("EOF");
            } else {
                c.event("read " + r + " unexpected bytes");
            }
        } catch (SocketTimeoutException e) {
            c.event("no EOF within " + timeoutMillis + " ms");
        } catch (IOException e) {
            c.readFailed(e);
        }
    }

    private void close(Conn c, boolean linger0) {
        try {
            if (linger0) {
                c.ch.socket().setSoLinger(true, 0);
            }
            c.ch.close();
            c.close = linger0 ? ClientClose.LINGER0 : ClientClose.NORMAL;
            c.event("close()" + (linger0 ? " with SO_LINGER 0" : ""));
        } catch (IOException e) {
            c.event("close() threw " + e);
        }
    }

    // ---- talking to the driver ---------------------------------------------------------

    private synchronized void gate(String value) {
        System.out.println("GATE " + value);
        System.out.flush();
        for (Conn c : conns) {
            if (c.startNanos != 0) {
                c.event("gate set to " + value);
            }
        }
    }

    /** Asks the driver for {@code HOOK what PORT}, waits for its DONE, records {@code done}. */
    private synchronized void hook(Conn c, String what, String done) throws IOException {
        c.event("asked the driver to " + what);
        System.out.println("HOOK " + what + " " + c.port);
        System.out.flush();
        String answer = driver.readLine();
        if (!"DONE".equals(answer)) {
            throw new IOException("driver answered " + answer + " to HOOK " + what);
        }
        c.event(done);
    }

    private void async(Action action) {
        Thread t = new Thread(() -> {
            try {
                action.run();
            } catch (Exception e) {
                System.err.println("LabClient: " + e);
            }
        });
        workers.add(t);
        t.start();
    }

    private static long remainingMillis(long deadlineNanos) {
        return Math.max(1, (deadlineNanos - System.nanoTime()) / 1_000_000L);
    }

    private static void sleepUntil(long nanos) throws InterruptedException {
        long ms = (nanos - System.nanoTime()) / 1_000_000L;
        if (ms > 0) {
            Thread.sleep(ms);
        }
    }

    /** One connection and everything the client saw of it; one thread at a time uses it. */
    private static final class Conn {
        final String id;
        final String role;
        final InetAddress localIp;
        final int port;
        final InetSocketAddress remote;
        final List<Truth.Write> writes = new ArrayList<>();
        final List<TcpInfo> tcpInfo = new ArrayList<>();
        final List<String> events = new ArrayList<>();
        SocketChannel ch;
        InputStream in;
        OutputStream out;
        /** Set when connect() begins; 0 before. */
        volatile long startNanos;
        long startEpochMicros;
        boolean connected;
        ConnectResult connectResult = ConnectResult.GAVE_UP;
        String connectException;
        double connectMillis;
        long bytesWritten;
        long expectedReplyBytes;
        long replyBytes;
        Double firstByteMillis;
        Double replyCompleteMillis;
        boolean eof;
        Double eofMillis;
        String readException;
        Double readExceptionMillis;
        boolean readTimedOut;
        ClientClose close = ClientClose.NONE;

        Conn(String id, String role, InetAddress localIp, int port, InetSocketAddress remote) {
            this.id = id;
            this.role = role;
            this.localIp = localIp;
            this.port = port;
            this.remote = remote;
        }

        double sinceStartMillis() {
            return Math.round((System.nanoTime() - startNanos) / 1e4) / 100.0;
        }

        synchronized void event(String what) {
            events.add(String.format(Locale.ROOT, "%.2f ms %s", (System.nanoTime() - startNanos) / 1e6, what));
        }

        void connectDone(IOException e) {
            connectMillis = sinceStartMillis();
            if (e == null) {
                connected = true;
                connectResult = ConnectResult.OK;
                event("connect() ok");
                return;
            }
            connectException = e.toString();
            String msg = String.valueOf(e.getMessage());
            connectResult = msg.contains("refused") ? ConnectResult.REFUSED
                    : msg.contains("timed out") ? ConnectResult.TIMEOUT : ConnectResult.ERROR;
            event("connect() threw " + connectException);
        }

        void readFailed(IOException e) {
            readException = e.toString();
            readExceptionMillis = sinceStartMillis();
            event("read threw " + readException + " after " + replyBytes + " B of reply");
        }

        void snapshot(String reason) {
            TcpInfo t = TcpInfo.of(ch, reason, sinceStartMillis());
            tcpInfo.add(t);
            event("TCP_INFO (" + reason + "): " + t);
        }

        synchronized Truth.Client truth() {
            return new Truth.Client(id, role, new HostPort(Args.text(localIp), port),
                    new HostPort(Args.text(remote.getAddress()), remote.getPort()), startEpochMicros,
                    new Truth.Connect(connectResult, connectMillis, connectException), bytesWritten,
                    List.copyOf(writes),
                    new Truth.Read(expectedReplyBytes, replyBytes, firstByteMillis, replyCompleteMillis,
                            eof, eofMillis, readException, readExceptionMillis, readTimedOut),
                    List.copyOf(tcpInfo), close, List.copyOf(events));
        }
    }
}
