import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketTimeoutException;
import java.net.StandardProtocolFamily;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Client role of the synscope failure lab. Run with {@code java LabClient.java ...}; no
 * dependencies, so a later {@code synscope lab} can reuse it as is.
 *
 * <pre>
 * java LabClient.java --mode MODE --server IP:PORT --client-ip IP --truth FILE
 *                     [--gate FILE] [--hook-dir DIR] [--port-base 40000] [--fill N] [--burst K]
 * </pre>
 *
 * <p>Each mode is a fixed script of connections (see {@link #runMode}). Every connection binds an
 * explicit local port ({@code port-base + n}, n = 1, 2, ... in creation order) so that its
 * ephemeral port is known even when connect() fails, and is connected with a non-blocking
 * {@code SocketChannel} so that a burst of SYNs leaves within microseconds; after connect() the
 * channel is switched to blocking mode and read with SO_TIMEOUT through its socket adaptor.
 *
 * <p>Ground truth: one JSON line per connection in {@code --truth}, written at the end: the
 * connect() outcome and duration, every write (bytes, exception), the reply read (bytes, first
 * byte, EOF, exception), and {@code ss -tin} snapshots of the connection taken in the client's
 * network namespace when no reply came ({@code unacked}, {@code bytes_acked}, {@code retrans}):
 * Java cannot read TCP_INFO, ss can.
 *
 * <p>Coordination with the rest of the lab: {@code --gate FILE} is the server's accept gate
 * (this program writes how many connections the server may accept, see LabServer);
 * {@code --hook-dir DIR}: for a step the driver must perform (e.g. make the server forget a
 * connection) this program writes {@code DIR/NAME.req} and waits for {@code DIR/NAME.done}.
 */
public final class LabClient {
    private static final long CONNECT_LIMIT_MILLIS = 30_000;
    private static final long HOOK_LIMIT_MILLIS = 15_000;
    private static final int SMALL_REPLY_BYTES = 16;

    private final InetSocketAddress server;
    private final InetAddress clientIp;
    private final Path truthPath;
    private final Path gatePath;
    private final Path hookDir;
    private final int portBase;
    private final List<Conn> conns = new ArrayList<>();
    private final List<Thread> workers = new ArrayList<>();

    private LabClient(InetSocketAddress server, InetAddress clientIp, Path truthPath, Path gatePath,
            Path hookDir, int portBase) {
        this.server = server;
        this.clientIp = clientIp;
        this.truthPath = truthPath;
        this.gatePath = gatePath;
        this.hookDir = hookDir;
        this.portBase = portBase;
    }

    public static void main(String[] args) throws Exception {
        Map<String, String> opt = Shared.parseArgs(args);
        LabClient lab = new LabClient(
                Shared.parseHostPort(Shared.require(opt, "--server")),
                InetAddress.getByName(Shared.require(opt, "--client-ip")),
                Path.of(Shared.require(opt, "--truth")),
                opt.containsKey("--gate") ? Path.of(opt.get("--gate")) : null,
                opt.containsKey("--hook-dir") ? Path.of(opt.get("--hook-dir")) : null,
                Integer.parseInt(opt.getOrDefault("--port-base", "40000")));
        int fill = Integer.parseInt(opt.getOrDefault("--fill", "3"));
        int burst = Integer.parseInt(opt.getOrDefault("--burst", "5"));
        try {
            lab.runMode(Shared.require(opt, "--mode"), fill, burst);
        } finally {
            lab.writeTruth();
        }
    }

    /** The client script of each lab mode. */
    private void runMode(String mode, int fill, int burst) throws Exception {
        switch (mode) {
            case "ok" -> oneAfterAnother(3, 48, c -> close(c, false));
            case "synack-unanswered", "syn-flood", "syn-flood-cookies" -> {
                // The driver sends the spoofed SYNs first; this connection's SYN follows at once.
                hook("flood", null);
                oneAfterAnother(1, 48, c -> close(c, false));
            }
            case "ipv6" -> {
                oneAfterAnother(1, 48, c -> close(c, false));
                connectToClosedPort(2, new InetSocketAddress(server.getAddress(), server.getPort() + 1));
            }
            case "refused" -> connectToClosedPort(3, server);
            case "bulk-ok" -> {
                Conn c = conn("client", server);
                if (connect(c)) {
                    int bytes = 200 * 1024;
                    c.expectedReplyBytes += bytes;
                    byte[] payload = new byte[bytes];
                    Arrays.fill(payload, (byte) 'u');
                    write(c, concat(("BULK " + c.id + " " + bytes + " " + bytes + "\n").getBytes(StandardCharsets.US_ASCII), payload));
                    readReply(c, 10_000, 0);
                    close(c, false);
                }
            }
            case "syn-dropped-accept-queue" -> synDroppedAcceptQueue();
            case "ack-ignored" -> acceptQueueBurst(fill, burst, true);
            case "overflow-reset" -> acceptQueueBurst(fill, burst, false);
            // The server closes with the request unread; the reply read sees the RST or, after
            // java.net.Socket's FIN, EOF. Our own close() waits: a FIN from us arriving between
            // the server's shutdown() and close() would retire its socket quietly, without a RST.
            case "rst-unread-data", "rst-unread-data-after-fin" -> oneAfterAnother(2, SMALL_REPLY_BYTES, c -> {
                if (c.eof) {
                    Thread.sleep(200);
                }
                close(c, false);
            });
            case "rst-linger0" -> oneAfterAnother(2, SMALL_REPLY_BYTES, c -> {
                readEof(c, 2000);
                close(c, false);
            });
            case "write-after-close" -> oneAfterAnother(2, SMALL_REPLY_BYTES, c -> {
                readEof(c, 2000);
                Thread.sleep(50);
                write(c, "MORE 1\n".getBytes(StandardCharsets.US_ASCII));
                // The first write draws the RST; the second one then fails.
                Thread.sleep(200);
                write(c, "MORE 2\n".getBytes(StandardCharsets.US_ASCII));
                close(c, false);
            });
            case "client-linger0" -> oneAfterAnother(2, SMALL_REPLY_BYTES, c -> {
                Thread.sleep(50);
                close(c, true);
            });
            case "half-open" -> oneAfterAnother(1, SMALL_REPLY_BYTES, c -> {
                hook("forget", c);
                Thread.sleep(300);
                request(c, SMALL_REPLY_BYTES);
                readReply(c, 5000, 0);
                close(c, false);
            });
            default -> throw new IllegalArgumentException("unknown mode: " + mode);
        }
        for (Thread t : workers) {
            t.join();
        }
    }

    /** {@code n} connections, one after another: connect, one request, its reply, then {@code ending}. */
    private void oneAfterAnother(int n, int replyBytes, ConnStep ending) throws Exception {
        for (int i = 0; i < n; i++) {
            Conn c = conn("client", server);
            if (connect(c)) {
                request(c, replyBytes);
                readReply(c, 5000, 0);
                ending.run(c);
            }
            Thread.sleep(100);
        }
    }

    private void connectToClosedPort(int n, InetSocketAddress closedPort) throws Exception {
        for (int i = 0; i < n; i++) {
            connect(conn("client", closedPort));
            Thread.sleep(100);
        }
    }

    private interface ConnStep {
        void run(Conn c) throws Exception;
    }

    /**
     * Backlog 1, never accepting: two connections fill the accept queue (it holds backlog + 1),
     * two more connect() calls time out because their SYNs are dropped, a fifth starts while the
     * queue is still full and succeeds once the gate opens and the server drains the queue.
     */
    private void synDroppedAcceptQueue() throws Exception {
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
     * The server listens with backlog B and does not accept; {@code fill} (= B - 1) connections
     * sit in the accept queue, then {@code burst} SYNs go out at once. With the server's SYN-ACKs
     * paced by tc tbf, all of them are admitted as request sockets before their ACKs return; the
     * ACKs then find the queue full: dropped (tcp_abort_on_overflow=0, ack-ignored) or answered by
     * a RST (=1, overflow-reset). For ack-ignored the gate then lets one connection be accepted
     * (one retransmitting client can get in: recovered) and later all of them.
     */
    private void acceptQueueBurst(int fill, int burst, boolean ackIgnored) throws Exception {
        gate("0");
        long deadline = System.nanoTime() + (ackIgnored ? 13_000 : 5_000) * 1_000_000L;
        queued(fill, deadline);
        List<Conn> burstConns = new ArrayList<>();
        for (int i = 0; i < burst; i++) {
            burstConns.add(conn("burst", server));
        }
        connectAll(burstConns);
        long burstDone = System.nanoTime();
        for (Conn c : burstConns) {
            if (c.connected) {
                request(c, SMALL_REPLY_BYTES);
            }
        }
        for (Conn c : burstConns) {
            if (c.connected) {
                async(() -> {
                    readReply(c, remainingMillis(deadline), 1000);
                    close(c, false);
                });
            }
        }
        sleepUntil(burstDone + 1_200_000_000L);
        if (ackIgnored) {
            gate("1");
            sleepUntil(burstDone + 7_500_000_000L);
        }
        gate("all");
    }

    /**
     * {@code n} connections one after another that the server does not accept yet: each sends
     * its request (the kernel acknowledges it) and waits for the reply in the background.
     */
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

    // ---- connection primitives -------------------------------------------------------------

    private Conn conn(String role, InetSocketAddress remote) {
        Conn c = new Conn("c" + (conns.size() + 1), role, clientIp.getHostAddress(), portBase + conns.size() + 1, remote);
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
                c.ch = SocketChannel.open(clientIp.getAddress().length == 4 ? StandardProtocolFamily.INET : StandardProtocolFamily.INET6);
                c.ch.bind(new InetSocketAddress(clientIp, c.requestedPort));
                c.localPort = ((InetSocketAddress) c.ch.getLocalAddress()).getPort();
                c.ch.configureBlocking(false);
                c.startNanos = System.nanoTime();
                c.startEpochMicros = Shared.epochMicros();
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
                    c.connectResult = "gave-up";
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
        Map<String, Object> w = new LinkedHashMap<>();
        w.put("ms", c.sinceStartMillis());
        w.put("bytes", data.length);
        w.put("afterEof", c.eof);
        String head = new String(data, 0, Math.min(data.length, 40), StandardCharsets.US_ASCII);
        w.put("head", head.strip());
        try {
            c.out.write(data);
            c.out.flush();
            w.put("exception", null);
            c.bytesWritten += data.length;
            c.event("wrote " + data.length + " B");
        } catch (IOException e) {
            w.put("exception", describe(e));
            c.event("write threw " + describe(e));
        }
        w.put("doneMs", c.sinceStartMillis());
        c.writes.add(w);
    }

    /**
     * Reads until all requested reply bytes arrived, EOF, an error or the timeout. If nothing has
     * arrived after {@code probeAfterMillis} (0 = never), snapshots {@code ss -tin} once.
     */
    private void readReply(Conn c, long timeoutMillis, long probeAfterMillis) {
        long deadline = System.nanoTime() + timeoutMillis * 1_000_000L;
        long probeAt = probeAfterMillis > 0 ? System.nanoTime() + probeAfterMillis * 1_000_000L : Long.MAX_VALUE;
        byte[] buf = new byte[16384];
        try {
            while (c.replyBytesRead < c.expectedReplyBytes) {
                long now = System.nanoTime();
                long until = Math.min(deadline, c.replyBytesRead == 0 ? probeAt : Long.MAX_VALUE);
                int waitMillis = (int) Math.max(1, (until - now) / 1_000_000L);
                c.ch.socket().setSoTimeout(waitMillis);
                int r;
                try {
                    r = c.in.read(buf, 0, (int) Math.min(buf.length, c.expectedReplyBytes - c.replyBytesRead));
                } catch (SocketTimeoutException e) {
                    if (System.nanoTime() >= deadline) {
                        c.readTimedOut = true;
                        c.event("read timed out after " + timeoutMillis + " ms");
                        probe(c, "read-timeout");
                        return;
                    }
                    probe(c, "no-reply-after-" + probeAfterMillis + "ms");
                    probeAt = Long.MAX_VALUE;
                    continue;
                }
                if (r < 0) {
                    c.eof = true;
                    c.eofMillis = c.sinceStartMillis();
                    c.event("EOF after " + c.replyBytesRead + " B of reply");
                    return;
                }
                if (c.replyBytesRead == 0) {
                    c.firstByteMillis = c.sinceStartMillis();
                }
                c.replyBytesRead += r;
            }
            c.replyCompleteMillis = c.sinceStartMillis();
            c.event("read " + c.replyBytesRead + " B reply (complete)");
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
                c.extraBytesRead += r;
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
            c.close = linger0 ? "linger0" : "normal";
            c.event("close()" + (linger0 ? " with SO_LINGER 0" : ""));
        } catch (IOException e) {
            c.close = "threw " + describe(e);
        }
    }

    /** Snapshot of the connection's TCP_INFO as printed by {@code ss -tin} in this namespace. */
    private void probe(Conn c, String reason) {
        Map<String, Object> p = new LinkedHashMap<>();
        p.put("reason", reason);
        p.put("ms", c.sinceStartMillis());
        try {
            Process proc = new ProcessBuilder("ss", "-tinH", "sport", "=", ":" + c.localPort)
                    .redirectErrorStream(true).start();
            String out = new String(proc.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
            proc.waitFor();
            p.put("raw", out.replaceAll("\\s+", " "));
            String[] tok = out.split("\\s+");
            if (tok.length >= 3) {
                p.put("state", tok[0]);
                p.put("sendQ", tok[2]);
            }
            for (String t : tok) {
                int colon = t.indexOf(':');
                if (colon <= 0) {
                    continue;
                }
                String key = t.substring(0, colon);
                if (List.of("unacked", "retrans", "bytes_sent", "bytes_acked", "bytes_received", "bytes_retrans",
                        "backoff", "rto", "lastsnd", "lastrcv", "lastack").contains(key)) {
                    p.put(key, t.substring(colon + 1));
                }
            }
        } catch (IOException | InterruptedException e) {
            p.put("error", describe(e));
        }
        c.probes.add(p);
        c.event("ss probe (" + reason + "): " + p.get("raw"));
    }

    // ---- coordination ------------------------------------------------------------------------

    private void gate(String value) throws IOException {
        if (gatePath == null) {
            return;
        }
        writeAtomically(gatePath, value);
        for (Conn c : conns) {
            if (c.startNanos != 0) {
                c.event("gate set to " + value);
            }
        }
    }

    /** Asks the driver to perform step {@code name} (about connection {@code c}, may be null). */
    private void hook(String name, Conn c) throws IOException, InterruptedException {
        if (hookDir == null) {
            throw new IllegalStateException("mode needs --hook-dir");
        }
        writeAtomically(hookDir.resolve(name + ".req"), String.valueOf(c == null ? 0 : c.localPort));
        if (c != null) {
            c.event("hook " + name + " requested");
        }
        waitFor(hookDir.resolve(name + ".done"));
        if (c != null) {
            c.hooks.add(name);
            c.event("hook " + name + " done");
        }
    }

    /** Readers poll these files: a rename makes them see the old or the new content, never half. */
    private static void writeAtomically(Path file, String value) throws IOException {
        Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
        Files.writeString(tmp, value + "\n");
        Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    }

    private static void waitFor(Path done) throws InterruptedException {
        long limit = System.currentTimeMillis() + HOOK_LIMIT_MILLIS;
        while (!Files.exists(done)) {
            if (System.currentTimeMillis() > limit) {
                throw new IllegalStateException("driver did not do " + done + " in time");
            }
            Thread.sleep(10);
        }
    }

    private void async(ThrowingRunnable r) {
        Thread t = new Thread(() -> {
            try {
                r.run();
            } catch (Exception e) {
                throw new RuntimeException(e);
            }
        });
        workers.add(t);
        t.start();
    }

    private interface ThrowingRunnable {
        void run() throws Exception;
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

    private static byte[] concat(byte[] a, byte[] b) {
        byte[] r = Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, r, a.length, b.length);
        return r;
    }

    private static String describe(Exception e) {
        return e.getClass().getName() + ": " + e.getMessage();
    }

    private void writeTruth() throws IOException {
        StringBuilder sb = new StringBuilder();
        for (Conn c : conns) {
            sb.append(c.toJson()).append('\n');
        }
        Files.writeString(truthPath, sb.toString());
    }

    /** One connection and everything the client saw of it. */
    private static final class Conn {
        final String id;
        final String role;
        final String localIp;
        /** The port bound before connect(); {@link #localPort} is what the socket then reports. */
        final int requestedPort;
        int localPort;
        final InetSocketAddress remote;
        final List<Map<String, Object>> writes = new ArrayList<>();
        final List<Map<String, Object>> probes = new ArrayList<>();
        final List<String> hooks = new ArrayList<>();
        final List<String> events = new ArrayList<>();
        SocketChannel ch;
        InputStream in;
        OutputStream out;
        /** Set when connect() begins; 0 before. */
        volatile long startNanos;
        long startEpochMicros;
        boolean connected;
        String connectResult = "not-attempted";
        String connectException;
        double connectMillis;
        long bytesWritten;
        long expectedReplyBytes;
        long replyBytesRead;
        long extraBytesRead;
        Double firstByteMillis;
        Double replyCompleteMillis;
        boolean eof;
        Double eofMillis;
        String readException;
        Double readExceptionMillis;
        boolean readTimedOut;
        String close = "none";

        Conn(String id, String role, String localIp, int requestedPort, InetSocketAddress remote) {
            this.id = id;
            this.role = role;
            this.localIp = localIp;
            this.requestedPort = requestedPort;
            this.remote = remote;
        }

        double sinceStartMillis() {
            return Math.round((System.nanoTime() - startNanos) / 1e4) / 100.0;
        }

        synchronized void event(String what) {
            events.add(String.format("%.2f ms %s", (System.nanoTime() - startNanos) / 1e6, what));
        }

        void connectDone(IOException e) {
            connectMillis = sinceStartMillis();
            if (e == null) {
                connected = true;
                connectResult = "ok";
                event("connect() ok");
                return;
            }
            connectException = describe(e);
            String msg = String.valueOf(e.getMessage());
            connectResult = msg.contains("refused") ? "refused" : msg.contains("timed out") ? "timeout" : "error";
            event("connect() threw " + connectException);
        }

        void readFailed(IOException e) {
            readException = describe(e);
            readExceptionMillis = sinceStartMillis();
            event("read threw " + readException + " after " + replyBytesRead + " B of reply");
        }

        String toJson() {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("id", id);
            m.put("role", role);
            m.put("client", Shared.endpoint(localIp, localPort));
            m.put("server", Shared.endpoint(remote.getAddress().getHostAddress(), remote.getPort()));
            m.put("startEpochUs", startEpochMicros);
            Map<String, Object> conn = new LinkedHashMap<>();
            conn.put("result", connectResult);
            conn.put("ms", connectMillis);
            conn.put("exception", connectException);
            m.put("connect", conn);
            m.put("bytesWritten", bytesWritten);
            m.put("writes", writes);
            Map<String, Object> read = new LinkedHashMap<>();
            read.put("expectedReplyBytes", expectedReplyBytes);
            read.put("replyBytes", replyBytesRead);
            read.put("replyComplete", expectedReplyBytes > 0 && replyBytesRead == expectedReplyBytes);
            read.put("firstByteMs", firstByteMillis);
            read.put("replyCompleteMs", replyCompleteMillis);
            read.put("eof", eof);
            read.put("eofMs", eofMillis);
            read.put("exception", readException);
            read.put("exceptionMs", readExceptionMillis);
            read.put("timedOut", readTimedOut);
            read.put("extraBytes", extraBytesRead);
            m.put("read", read);
            m.put("probes", probes);
            m.put("close", close);
            m.put("hooks", hooks);
            m.put("events", events);
            return Shared.Json.write(m);
        }
    }

    /**
     * Helpers shared with LabServer.java, kept identical there: the Java 17 source launcher
     * ({@code java File.java}) compiles a single file, so the two programs cannot share a class.
     */
    static final class Shared {
        private Shared() {
        }

        static Map<String, Object> endpoint(String ip, int port) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("ip", ip);
            m.put("port", port);
            return m;
        }

        static long epochMicros() {
            java.time.Instant now = java.time.Instant.now();
            return now.getEpochSecond() * 1_000_000L + now.getNano() / 1_000;
        }

        static Map<String, String> parseArgs(String[] args) {
            Map<String, String> m = new LinkedHashMap<>();
            for (int i = 0; i < args.length; i++) {
                if (!args[i].startsWith("--") || i + 1 >= args.length) {
                    throw new IllegalArgumentException("expected --name value pairs, got " + args[i]);
                }
                m.put(args[i], args[++i]);
            }
            return m;
        }

        static String require(Map<String, String> opt, String name) {
            String v = opt.get(name);
            if (v == null) {
                throw new IllegalArgumentException("missing " + name);
            }
            return v;
        }

        /** {@code 10.77.0.2:8080} or {@code [fd77::2]:8080}. */
        static InetSocketAddress parseHostPort(String s) throws IOException {
            int colon = s.lastIndexOf(':');
            String host = s.substring(0, colon).replace("[", "").replace("]", "");
            return new InetSocketAddress(InetAddress.getByName(host), Integer.parseInt(s.substring(colon + 1)));
        }

        /** Minimal JSON writer for maps, lists, strings, numbers, booleans and null. */
        static final class Json {
            private Json() {
            }

            static String write(Object v) {
                StringBuilder sb = new StringBuilder();
                write(sb, v);
                return sb.toString();
            }

            private static void write(StringBuilder sb, Object v) {
                if (v == null) {
                    sb.append("null");
                } else if (v instanceof String str) {
                    sb.append('"');
                    for (char c : str.toCharArray()) {
                        switch (c) {
                            case '"' -> sb.append("\\\"");
                            case '\\' -> sb.append("\\\\");
                            case '\n' -> sb.append("\\n");
                            default -> {
                                if (c < 0x20) {
                                    sb.append(String.format("\\u%04x", (int) c));
                                } else {
                                    sb.append(c);
                                }
                            }
                        }
                    }
                    sb.append('"');
                } else if (v instanceof Map<?, ?> map) {
                    sb.append('{');
                    boolean first = true;
                    for (Map.Entry<?, ?> e : map.entrySet()) {
                        if (!first) {
                            sb.append(',');
                        }
                        first = false;
                        write(sb, String.valueOf(e.getKey()));
                        sb.append(':');
                        write(sb, e.getValue());
                    }
                    sb.append('}');
                } else if (v instanceof List<?> list) {
                    sb.append('[');
                    for (int i = 0; i < list.size(); i++) {
                        if (i > 0) {
                            sb.append(',');
                        }
                        write(sb, list.get(i));
                    }
                    sb.append(']');
                } else {
                    sb.append(v);
                }
            }
        }
    }
}
