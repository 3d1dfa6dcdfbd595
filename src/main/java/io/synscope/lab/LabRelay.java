package io.synscope.lab;

import io.synscope.lab.Truth.Direction;
import jnr.ffi.Memory;
import jnr.ffi.Pointer;
import jnr.ffi.Runtime;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.locks.LockSupport;

/**
 * The lab's lossy path, run by the driver in the middle namespace as a child JVM:
 *
 * <pre>
 * LabRelay --mode MODE --client-if IF --server-if IF --seed N --log FILE --stats FILE
 * </pre>
 *
 * <p>The kernel has no {@code sch_netem}, so delay and loss are made here: a packet socket on
 * each of the middle namespace's two veth ends, and per direction one thread that receives
 * each frame and asks {@link LossyPath} whether to drop it and when it leaves, and one that
 * sends it then. The endpoints' veths have tx checksum offload off (the driver does that), so
 * the frames carry real checksums and need no change here.
 *
 * <p>Prints {@code RELAYING} once both sockets are bound. When its stdin closes it writes its
 * log ({@link Truth.Relayed}, one JSON line per connection) and its totals
 * ({@link Truth.RelayStats}), and exits.
 */
public final class LabRelay {
    /** A veth frame is at most a GSO super-frame; with offloads off it is at most the MTU. */
    private static final int MAX_FRAME_BYTES = 65536;
    /** Enough for C1 (the lab's JVMs run with TieredStopAtLevel=1) to compile the frame path. */
    private static final int WARM_UP_FRAMES = 20_000;

    private LabRelay() {
    }

    public static void main(String[] args) throws IOException {
        Args a = new Args(args);
        LabMode mode = LabMode.byName(a.get("--mode"))
                .orElseThrow(() -> new IllegalArgumentException("unknown mode " + a.get("--mode")));
        LossyPath path = new LossyPath(mode.relay(), Long.parseLong(a.get("--seed")));
        int clientFd = Native.packetSocket(a.get("--client-if"));
        int serverFd = Native.packetSocket(a.get("--server-if"));
        warmUp(mode.relay());
        forward(path, Direction.CLIENT_TO_SERVER, clientFd, serverFd);
        forward(path, Direction.SERVER_TO_CLIENT, serverFd, clientFd);
        System.out.println("RELAYING");
        System.out.flush();
        System.in.transferTo(OutputStream.nullOutputStream());
        LabJson.writeLines(Path.of(a.get("--log")), path.log());
        Files.writeString(Path.of(a.get("--stats")), LabJson.line(path.stats()) + "\n");
        // The receiving threads are blocked in recv(); nothing else is left to do.
        System.exit(0);
    }

    /**
     * Runs the per-frame path (parse, decide, plan, send) on a made-up frame until the JIT has
     * compiled it: interpreted, the first frames of a run left up to 60 ms late. The sends go
     * to no descriptor (-1) and fail at once.
     */
    private static void warmUp(LabMode.Relay relay) {
        LossyPath scratch = new LossyPath(relay, 0);
        byte[] frame = new byte[54];
        frame[12] = 0x08;
        frame[14] = 0x45;
        frame[17] = 40;
        frame[23] = 6;
        frame[46] = 0x50;
        frame[47] = 0x10;
        for (int i = 0; i < WARM_UP_FRAMES; i++) {
            // A new connection each time, so that the log's lists stay short.
            frame[34] = (byte) (i >> 8);
            frame[35] = (byte) i;
            Direction d = Direction.values()[i & 1];
            long epochUs = Args.epochMicros();
            if (!scratch.drop(frame, frame.length, d, epochUs)) {
                scratch.departureNanos(d, System.nanoTime());
            }
            Native.libc().send(-1, frame, frame.length, 0);
            scratch.sent(d, 0);
        }
    }

    /** A frame on its way: when it reached the relay and when it is to leave. */
    private record Pending(byte[] frame, long epochUs, long departureNanos) {
    }

    private static void forward(LossyPath path, Direction d, int inFd, int outFd) {
        BlockingQueue<Pending> queue = new LinkedBlockingQueue<>();
        daemon("relay-receive-" + d.key(), () -> receive(path, d, inFd, queue));
        daemon("relay-send-" + d.key(), () -> send(path, d, outFd, queue));
    }

    private static void receive(LossyPath path, Direction d, int fd, BlockingQueue<Pending> queue) {
        Pointer buf = Memory.allocateDirect(Runtime.getRuntime(Native.libc()), MAX_FRAME_BYTES);
        while (true) {
            long n = Native.libc().recv(fd, buf, MAX_FRAME_BYTES, 0);
            long arrivalNanos = System.nanoTime();
            if (n < 0) {
                if (Native.errno() == Native.EINTR) {
                    continue;
                }
                fail("recv() on the " + d.key() + " side: errno " + Native.errno());
            }
            byte[] frame = new byte[(int) n];
            buf.get(0, frame, 0, frame.length);
            long epochUs = Args.epochMicros();
            if (!path.drop(frame, frame.length, d, epochUs)) {
                queue.add(new Pending(frame, epochUs, path.departureNanos(d, arrivalNanos)));
            }
        }
    }

    private static void send(LossyPath path, Direction d, int fd, BlockingQueue<Pending> queue) {
        while (true) {
            Pending p;
            try {
                p = queue.take();
            } catch (InterruptedException e) {
                return;
            }
            long wait;
            while ((wait = p.departureNanos - System.nanoTime()) > 0) {
                LockSupport.parkNanos(wait);
            }
            long lateNanos = System.nanoTime() - p.departureNanos;
            if (Native.libc().send(fd, p.frame, p.frame.length, 0) < 0) {
                path.sendFailed(p.frame, p.frame.length, d, p.epochUs);
            } else {
                path.sent(d, lateNanos);
            }
        }
    }

    private static void daemon(String name, Runnable r) {
        Thread t = new Thread(r, name);
        t.setDaemon(true);
        t.start();
    }

    /** A relay that cannot move frames makes the run meaningless: the driver sees the exit. */
    private static void fail(String why) {
        System.err.println("LabRelay: " + why);
        System.exit(3);
    }
}
