package io.synscope.lab;

import io.synscope.lab.LabMode.Api;
import io.synscope.lab.LabMode.Handler;
import io.synscope.diagnose.HostPort;
import io.synscope.lab.Truth.ServerClose;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.StandardProtocolFamily;
import java.nio.channels.ServerSocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/**
 * The lab's server program, run by the driver in the server namespace as a child JVM:
 *
 * <pre>
 * LabServer --listen IP:PORT --backlog N --handler H --api socket|channel --truth FILE [--gated]
 * </pre>
 *
 * <p>Listens with {@code new ServerSocket(port, backlog, addr)} (or
 * {@code ServerSocketChannel.bind(addr, backlog)}), prints {@code LISTENING} on stdout, and
 * handles each accepted connection on its own thread as {@link Handler} says. With
 * {@code --gated} it accepts only while the number of connections accepted so far is below the
 * gate, which starts at 0 and is set by {@code GATE n} / {@code GATE all} lines on stdin (the
 * client asks the driver for them at known points of its script), so "never accept", "accept
 * one" and "accept all" are gate values over time.
 *
 * <p>Wire protocol (ASCII): {@code REQ <id> <n>\n} is answered with {@code n} bytes
 * ({@code RSP <id> ....\n}); {@code BULK <id> <up> <down>\n} and {@code up} bytes are answered
 * with {@code down} bytes.
 *
 * <p>Truth: one JSON line ({@link Truth.Server}) per accepted connection in the truth file,
 * when its handler is done, or at exit (SIGTERM) for connections still open then.
 */
public final class LabServer {
    private static final int MAX_LINE_BYTES = 256;
    private static final long LINGER0_DELAY_MILLIS = 100;
    private static final long UNREAD_WAIT_MILLIS = 2000;
    private static final long MAX_REPLY_BYTES = 16 << 20;

    private final Handler handler;
    private final Path truthPath;
    private final List<Conn> open = new ArrayList<>();
    /** How many connections may be accepted in all; guarded by {@code this}. */
    private long gate;

    private LabServer(Handler handler, Path truthPath, boolean gated) {
        this.handler = handler;
        this.truthPath = truthPath;
        this.gate = gated ? 0 : Long.MAX_VALUE;
    }

    public static void main(String[] args) throws Exception {
        Args a = new Args(args);
        LabMode mode = LabMode.byName(a.get("--mode"))
                .orElseThrow(() -> new IllegalArgumentException("unknown mode " + a.get("--mode")));
        LabMode.Server s = mode.server();
        InetSocketAddress listen = new InetSocketAddress(InetAddress.getByName(mode.serverIp()),
                LabMode.PORT);
        int backlog = s.backlog();
        Api api = s.api();
        Path truth = Path.of(a.get("--truth"));
        Files.writeString(truth, "");
        LabServer lab = new LabServer(s.handler(), truth, s.gated());
        Runtime.getRuntime().addShutdownHook(new Thread(lab::flushOpenAtExit));
        Thread gateReader = new Thread(lab::readGates, "gate");
        gateReader.setDaemon(true);
        gateReader.start();
        if (api == Api.SOCKET) {
            try (ServerSocket server = new ServerSocket(listen.getPort(), backlog, listen.getAddress())) {
                lab.run(server::accept);
            }
        } else {
            var family = listen.getAddress().getAddress().length == 4
                    ? StandardProtocolFamily.INET : StandardProtocolFamily.INET6;
            try (ServerSocketChannel server = ServerSocketChannel.open(family)) {
                server.bind(listen, backlog);
                lab.run(() -> server.accept().socket());
            }
        }
    }

    private interface Acceptor {
        Socket accept() throws IOException;
    }

    private void run(Acceptor server) throws IOException, InterruptedException {
        System.out.println("LISTENING");
        System.out.flush();
        long accepted = 0;
        while (true) {
            synchronized (this) {
                while (accepted >= gate) {
                    wait();
                }
            }
            Socket s = server.accept();
            accepted++;
            Conn c = new Conn(s);
            synchronized (open) {
                open.add(c);
            }
            Thread worker = new Thread(() -> serve(s, c), "conn-" + s.getPort());
            worker.setDaemon(true);
            worker.start();
        }
    }

    /** {@code GATE n} or {@code GATE all} lines from the driver; EOF leaves the gate as it is. */
    private void readGates() {
        try (BufferedReader in = new BufferedReader(new InputStreamReader(System.in,
                StandardCharsets.US_ASCII))) {
            String line;
            while ((line = in.readLine()) != null) {
                String[] w = line.trim().split(" ");
                if (w.length == 2 && w[0].equals("GATE")) {
                    synchronized (this) {
                        gate = w[1].equals("all") ? Long.MAX_VALUE : Long.parseLong(w[1]);
                        notifyAll();
                    }
                }
            }
        } catch (IOException | NumberFormatException e) {
            System.err.println("LabServer: bad gate input: " + e);
        }
    }

    private void serve(Socket s, Conn c) {
        try {
            InputStream in = s.getInputStream();
            OutputStream out = s.getOutputStream();
            switch (handler) {
                case CLOSE_UNREAD -> {
                    long deadline = System.currentTimeMillis() + UNREAD_WAIT_MILLIS;
                    while (in.available() == 0 && System.currentTimeMillis() < deadline) {
                        Thread.sleep(5);
                    }
                    // Let the rest of a request that arrives in pieces land too.
                    Thread.sleep(50);
                    c.unreadBytes = in.available();
                    c.close = ServerClose.UNREAD;
                    c.event("close() with " + c.unreadBytes + " B unread");
                    s.close();
                }
                case BULK -> {
                    String[] req = readRequest(in, c);
                    long up = Long.parseLong(req[2]);
                    in.skipNBytes(up);
                    c.requestBytes += up;
                    c.event("read " + up + " B upload");
                    writeReply(out, req[1], Long.parseLong(req[3]), c);
                    readUntilEof(in, c);
                    c.close = ServerClose.FIN;
                    s.close();
                }
                case BANNER, REPLY_WAIT_EOF, REPLY_CLOSE, REPLY_LINGER0 -> {
                    if (handler == Handler.BANNER) {
                        out.write(padded("HELLO " + c.client.port() + " ", LabMode.BANNER_BYTES));
                        out.flush();
                        c.event("wrote " + LabMode.BANNER_BYTES + " B banner");
                    }
                    String[] req = readRequest(in, c);
                    writeReply(out, req[1], Long.parseLong(req[2]), c);
                    if (handler == Handler.REPLY_LINGER0) {
                        Thread.sleep(LINGER0_DELAY_MILLIS);
                        s.setSoLinger(true, 0);
                        c.close = ServerClose.LINGER0;
                    } else {
                        if (handler != Handler.REPLY_CLOSE) {
                            readUntilEof(in, c);
                        }
                        c.close = ServerClose.FIN;
                    }
                    c.event("close() " + LabJson.key(c.close));
                    s.close();
                }
            }
        } catch (IOException | RuntimeException e) {
            c.exception = e.toString();
            c.event("exception " + c.exception);
            try {
                s.close();
            } catch (IOException ignored) {
                // Already failed; the truth records the first error.
            }
        } catch (InterruptedException e) {
            c.exception = e.toString();
        }
        finish(c);
    }

    private static String[] readRequest(InputStream in, Conn c) throws IOException {
        StringBuilder line = new StringBuilder();
        while (line.length() < MAX_LINE_BYTES) {
            int b = in.read();
            if (b < 0) {
                throw new IOException("EOF before the request line ended");
            }
            c.requestBytes++;
            if (b == '\n') {
                break;
            }
            line.append((char) b);
        }
        c.request = line.toString();
        c.event("read request '" + c.request + "'");
        String[] parts = c.request.split(" ");
        if (parts.length < 3 || (parts[0].equals("BULK") && parts.length < 4)) {
            throw new IOException("malformed request: " + c.request);
        }
        return parts;
    }

    /** {@code RSP <id> } padded with dots to {@code n} bytes, the last one a newline. */
    private static void writeReply(OutputStream out, String id, long n, Conn c) throws IOException {
        if (n < 1 || n > MAX_REPLY_BYTES) {
            throw new IOException("reply size out of range: " + n);
        }
        out.write(padded("RSP " + id + " ", (int) n));
        out.flush();
        c.replyBytes = n;
        c.event("wrote " + n + " B reply");
    }

    /** {@code head} padded with dots to {@code n} bytes, the last one a newline. */
    private static byte[] padded(String head, int n) {
        byte[] b = new byte[n];
        Arrays.fill(b, (byte) '.');
        byte[] h = head.getBytes(StandardCharsets.US_ASCII);
        System.arraycopy(h, 0, b, 0, Math.min(h.length, b.length));
        b[b.length - 1] = '\n';
        return b;
    }

    private static void readUntilEof(InputStream in, Conn c) throws IOException {
        c.bytesReadAfterReply += in.transferTo(OutputStream.nullOutputStream());
        c.sawEof = true;
        c.event("read EOF");
    }

    private void finish(Conn c) {
        synchronized (open) {
            if (!open.remove(c)) {
                return;
            }
        }
        appendTruth(c.truth(false));
    }

    private void flushOpenAtExit() {
        List<Conn> left;
        synchronized (open) {
            left = new ArrayList<>(open);
            open.clear();
        }
        for (Conn c : left) {
            appendTruth(c.truth(true));
        }
    }

    private synchronized void appendTruth(Truth.Server t) {
        try {
            Files.writeString(truthPath, LabJson.line(t) + "\n", StandardOpenOption.APPEND);
        } catch (IOException e) {
            System.err.println("LabServer: cannot write truth: " + e);
        }
    }

    /** What the server saw of one accepted connection, while its handler runs. */
    private static final class Conn {
        final HostPort client;
        final HostPort server;
        final long acceptedEpochMicros = Args.epochMicros();
        final long acceptedNanos = System.nanoTime();
        final List<String> events = new ArrayList<>();
        volatile String request;
        volatile long requestBytes;
        volatile long replyBytes;
        volatile long bytesReadAfterReply;
        volatile boolean sawEof;
        volatile int unreadBytes;
        volatile ServerClose close = ServerClose.NONE;
        volatile String exception;

        Conn(Socket s) {
            client = new HostPort(Args.text(s.getInetAddress()), s.getPort());
            server = new HostPort(Args.text(s.getLocalAddress()), s.getLocalPort());
            event("accepted");
        }

        synchronized void event(String what) {
            events.add(String.format(Locale.ROOT, "%.2f ms %s",
                    (System.nanoTime() - acceptedNanos) / 1e6, what));
        }

        synchronized Truth.Server truth(boolean openAtExit) {
            return new Truth.Server(openAtExit, client, server, acceptedEpochMicros, request,
                    requestBytes, replyBytes, bytesReadAfterReply, sawEof, unreadBytes, close,
                    exception, List.copyOf(events));
        }
    }
}
