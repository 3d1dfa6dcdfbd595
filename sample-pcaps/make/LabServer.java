import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.StandardProtocolFamily;
import java.nio.channels.ServerSocketChannel;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Server role of the synscope failure lab. Run with {@code java LabServer.java ...}; no
 * dependencies, so a later {@code synscope lab} can reuse it as is.
 *
 * <pre>
 * java LabServer.java --listen IP:PORT --backlog N --handler H --truth FILE [--gate FILE]
 *                     [--api socket|channel]
 * </pre>
 *
 * <p>Listens with {@code new ServerSocket(port, backlog, addr)} ({@code --api socket}, the default)
 * or with {@code ServerSocketChannel.bind(addr, backlog)} ({@code --api channel}); both hand the
 * handlers a {@link Socket}. The API matters for one thing: how close() behaves. JDK 17's
 * {@code java.net.Socket} calls {@code shutdown(SHUT_WR)} before {@code close()} unless SO_LINGER
 * is 0, so a close with unread data sends FIN and then RST; a {@code SocketChannel} (and its socket
 * adaptor) with no I/O in progress just calls {@code close()}, so the kernel sends the RST alone,
 * as a C program's close() would. Without {@code --gate} it accepts
 * at once; with it, it accepts only while the number of accepted connections is below the number
 * written in the gate file ("all" = no limit, missing or empty file = 0). The client role writes
 * the gate, so "never accept", "accept late" and "accept one" are all gate values over time.
 *
 * <p>Wire protocol (ASCII): the client sends {@code REQ <id> <replyBytes>\n}; the reply is
 * {@code replyBytes} bytes ending in {@code \n}. {@code BULK <id> <upBytes> <downBytes>\n} is
 * followed by {@code upBytes} of payload and answered with {@code downBytes}.
 *
 * <p>Handlers, i.e. what the server does with each accepted connection:
 * <ul>
 * <li>{@code reply-wait-eof}: read the request, reply, read until EOF or error, close (FIN).
 * <li>{@code reply-close}: read the request, reply, close at once (FIN) without waiting.
 * <li>{@code reply-linger0}: read the request, reply, wait 100 ms, close with SO_LINGER 0 (RST).
 * <li>{@code close-unread}: read nothing; once data is waiting (or after 2 s), close: the kernel
 *     sends a RST because received data is unread.
 * <li>{@code bulk}: read a BULK request and its payload, send the download, read until EOF, close.
 * </ul>
 *
 * <p>Ground truth: one JSON line per accepted connection in {@code --truth}, written when the
 * handler is done, or at JVM exit (SIGTERM) for connections still open then.
 */
public final class LabServer {
    private static final int MAX_LINE_BYTES = 256;
    private static final long GATE_POLL_MILLIS = 10;
    private static final long LINGER0_DELAY_MILLIS = 100;
    private static final long UNREAD_WAIT_MILLIS = 2000;
    private static final long MAX_REPLY_BYTES = 16 << 20;

    private final String handler;
    private final Path truthPath;
    private final Path gatePath;
    private final List<ConnTruth> open = new ArrayList<>();

    private LabServer(String handler, Path truthPath, Path gatePath) {
        this.handler = handler;
        this.truthPath = truthPath;
        this.gatePath = gatePath;
    }

    public static void main(String[] args) throws Exception {
        Map<String, String> opt = Shared.parseArgs(args);
        InetSocketAddress listen = Shared.parseHostPort(Shared.require(opt, "--listen"));
        int backlog = Integer.parseInt(Shared.require(opt, "--backlog"));
        String handler = Shared.require(opt, "--handler");
        if (!List.of("reply-wait-eof", "reply-close", "reply-linger0", "close-unread", "bulk").contains(handler)) {
            throw new IllegalArgumentException("unknown handler: " + handler);
        }
        Path truth = Path.of(Shared.require(opt, "--truth"));
        Path gate = opt.containsKey("--gate") ? Path.of(opt.get("--gate")) : null;
        String api = opt.getOrDefault("--api", "socket");
        Files.deleteIfExists(truth);
        Files.createFile(truth);
        LabServer lab = new LabServer(handler, truth, gate);
        switch (api) {
            case "socket" -> {
                try (ServerSocket server = new ServerSocket(listen.getPort(), backlog, listen.getAddress())) {
                    lab.run(server::accept, listen + " (java.net.ServerSocket) backlog " + backlog);
                }
            }
            case "channel" -> {
                var family = listen.getAddress().getAddress().length == 4 ? StandardProtocolFamily.INET : StandardProtocolFamily.INET6;
                try (ServerSocketChannel server = ServerSocketChannel.open(family)) {
                    server.bind(listen, backlog);
                    lab.run(() -> server.accept().socket(), listen + " (ServerSocketChannel) backlog " + backlog);
                }
            }
            default -> throw new IllegalArgumentException("unknown api: " + api);
        }
    }

    private interface Acceptor {
        Socket accept() throws IOException;
    }

    private void run(Acceptor server, String description) throws Exception {
        Runtime.getRuntime().addShutdownHook(new Thread(this::flushOpenAtExit));
        System.err.println("LabServer listening on " + description + ", handler " + handler);
        int accepted = 0;
        while (true) {
            while (accepted >= allowedAccepts()) {
                Thread.sleep(GATE_POLL_MILLIS);
            }
            Socket s = server.accept();
            accepted++;
            ConnTruth t = new ConnTruth(s);
            synchronized (open) {
                open.add(t);
            }
            Thread worker = new Thread(() -> serve(s, t), "conn-" + s.getPort());
            worker.setDaemon(true);
            worker.start();
        }
    }

    /** The gate file's value; re-read on every poll because the client role rewrites it. */
    private int allowedAccepts() {
        if (gatePath == null) {
            return Integer.MAX_VALUE;
        }
        try {
            String v = Files.readString(gatePath).trim();
            if (v.isEmpty()) {
                return 0;
            }
            return v.equals("all") ? Integer.MAX_VALUE : Integer.parseInt(v);
        } catch (IOException | NumberFormatException e) {
            return 0;
        }
    }

    private void serve(Socket s, ConnTruth t) {
        try {
            InputStream in = s.getInputStream();
            OutputStream out = s.getOutputStream();
            switch (handler) {
                case "close-unread" -> {
                    long deadline = System.currentTimeMillis() + UNREAD_WAIT_MILLIS;
                    while (in.available() == 0 && System.currentTimeMillis() < deadline) {
                        Thread.sleep(5);
                    }
                    // Let the rest of a request that arrives in pieces land too.
                    Thread.sleep(50);
                    t.unreadBytes = in.available();
                    t.event("close() with " + t.unreadBytes + " B unread");
                    t.close = "close-unread";
                    s.close();
                }
                case "bulk" -> {
                    String[] req = readRequest(in, t);
                    long up = Long.parseLong(req[2]);
                    long down = Long.parseLong(req[3]);
                    t.requestBytes += readExactly(in, up);
                    t.event("read " + up + " B upload");
                    writeReply(out, req[1], down, t);
                    readUntilEof(in, t);
                    t.close = "fin";
                    s.close();
                }
                default -> {
                    String[] req = readRequest(in, t);
                    writeReply(out, req[1], Long.parseLong(req[2]), t);
                    switch (handler) {
                        case "reply-close" -> t.close = "fin";
                        case "reply-linger0" -> {
                            Thread.sleep(LINGER0_DELAY_MILLIS);
                            s.setSoLinger(true, 0);
                            t.close = "linger0";
                        }
                        default -> {
                            readUntilEof(in, t);
                            t.close = "fin";
                        }
                    }
                    t.event("close() " + t.close);
                    s.close();
                }
            }
        } catch (IOException e) {
            t.exception = e.getClass().getName() + ": " + e.getMessage();
            t.event("exception " + t.exception);
            try {
                s.close();
            } catch (IOException ignored) {
                // Already failed; the truth line records the first error.
            }
        } catch (InterruptedException | RuntimeException e) {
            t.exception = e.getClass().getName() + ": " + e.getMessage();
        }
        finish(t);
    }

    private static String[] readRequest(InputStream in, ConnTruth t) throws IOException {
        StringBuilder line = new StringBuilder();
        while (line.length() < MAX_LINE_BYTES) {
            int b = in.read();
            if (b < 0) {
                throw new IOException("EOF before the request line ended");
            }
            t.requestBytes++;
            if (b == '\n') {
                break;
            }
            line.append((char) b);
        }
        t.request = line.toString();
        t.event("read request '" + t.request + "'");
        String[] parts = t.request.split(" ");
        if (parts.length < 3) {
            throw new IOException("malformed request: " + t.request);
        }
        return parts;
    }

    private static long readExactly(InputStream in, long n) throws IOException {
        byte[] buf = new byte[16384];
        long got = 0;
        while (got < n) {
            int r = in.read(buf, 0, (int) Math.min(buf.length, n - got));
            if (r < 0) {
                throw new IOException("EOF after " + got + " of " + n + " B");
            }
            got += r;
        }
        return got;
    }

    /** The reply: {@code RSP <id> } padded with dots to {@code n} bytes, the last one a newline. */
    private static void writeReply(OutputStream out, String id, long n, ConnTruth t) throws IOException {
        if (n < 1 || n > MAX_REPLY_BYTES) {
            throw new IOException("reply size out of range: " + n);
        }
        byte[] reply = new byte[(int) n];
        Arrays.fill(reply, (byte) '.');
        byte[] head = ("RSP " + id + " ").getBytes(StandardCharsets.US_ASCII);
        System.arraycopy(head, 0, reply, 0, Math.min(head.length, reply.length));
        reply[reply.length - 1] = '\n';
        out.write(reply);
        out.flush();
        t.replyBytes = n;
        t.event("wrote " + n + " B reply");
    }

    private static void readUntilEof(InputStream in, ConnTruth t) throws IOException {
        byte[] buf = new byte[4096];
        int r;
        while ((r = in.read(buf)) >= 0) {
            t.bytesReadAfterReply += r;
        }
        t.sawEof = true;
        t.event("read EOF");
    }

    private void finish(ConnTruth t) {
        synchronized (open) {
            if (!open.remove(t)) {
                return;
            }
        }
        appendTruth(t.toJson("done"));
    }

    private void flushOpenAtExit() {
        List<ConnTruth> left;
        synchronized (open) {
            left = new ArrayList<>(open);
            open.clear();
        }
        for (ConnTruth t : left) {
            appendTruth(t.toJson("open-at-exit"));
        }
    }

    private synchronized void appendTruth(String line) {
        try {
            Files.writeString(truthPath, line + "\n", StandardOpenOption.APPEND);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** What the server saw of one accepted connection. */
    private static final class ConnTruth {
        final String clientIp;
        final int clientPort;
        final String serverIp;
        final int serverPort;
        final long acceptedEpochMicros = Shared.epochMicros();
        final long acceptedNanos = System.nanoTime();
        final List<String> events = new ArrayList<>();
        String request;
        long requestBytes;
        long replyBytes;
        long bytesReadAfterReply;
        boolean sawEof;
        int unreadBytes;
        String close = "none";
        String exception;

        ConnTruth(Socket s) {
            clientIp = s.getInetAddress().getHostAddress();
            clientPort = s.getPort();
            serverIp = s.getLocalAddress().getHostAddress();
            serverPort = s.getLocalPort();
            event("accepted");
        }

        synchronized void event(String what) {
            events.add(String.format("%.2f ms %s", (System.nanoTime() - acceptedNanos) / 1e6, what));
        }

        synchronized String toJson(String state) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("state", state);
            m.put("client", Shared.endpoint(clientIp, clientPort));
            m.put("server", Shared.endpoint(serverIp, serverPort));
            m.put("acceptedEpochUs", acceptedEpochMicros);
            m.put("request", request);
            m.put("requestBytes", requestBytes);
            m.put("replyBytes", replyBytes);
            m.put("bytesReadAfterReply", bytesReadAfterReply);
            m.put("sawEof", sawEof);
            m.put("unreadBytes", unreadBytes);
            m.put("close", close);
            m.put("exception", exception);
            m.put("events", events);
            return Shared.Json.write(m);
        }
    }

    /**
     * Helpers shared with LabClient.java, kept identical there: the Java 17 source launcher
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
