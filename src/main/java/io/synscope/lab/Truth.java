package io.synscope.lab;

import io.synscope.diagnose.HostPort;

import com.fasterxml.jackson.annotation.JsonValue;

import java.util.List;
import java.util.Map;

/**
 * Ground truth as the lab's programs record it, one JSON line per record ({@link LabJson}):
 * what the client saw of each connection, what the server did with each connection it
 * accepted, and each spoofed SYN. Nothing here comes from a capture.
 */
final class Truth {
    private Truth() {
    }

    enum ConnectResult {
        OK,
        /** {@code ConnectException: Connection refused}. */
        REFUSED,
        /** {@code ConnectException: Connection timed out}: the kernel gave up retrying the SYN. */
        TIMEOUT,
        /** Any other exception. */
        ERROR,
        /** Still pending when the client stopped waiting. */
        GAVE_UP;

        @JsonValue
        String key() {
            return LabJson.key(this);
        }
    }

    /** connect(): its result, how long it took from the call, and its exception if any. */
    record Connect(ConnectResult result, double ms, String exception) {
    }

    /** One write(): when (ms since connect() began), how much, whether EOF had been read. */
    record Write(double ms, int bytes, boolean afterEof, String head, String exception) {
    }

    /** Reading the reply: {@code expectedBytes} were asked for. Times in ms since connect(). */
    record Read(long expectedBytes, long bytes, Double firstByteMs, Double completeMs, boolean eof,
                Double eofMs, String exception, Double exceptionMs, boolean timedOut) {
        boolean complete() {
            return expectedBytes > 0 && bytes == expectedBytes;
        }
    }

    enum ClientClose {
        NONE, NORMAL, LINGER0;

        @JsonValue
        String key() {
            return LabJson.key(this);
        }
    }

    /** Everything the client saw of one connection it made. */
    record Client(String id, String role, HostPort client, HostPort server, long startEpochUs,
                  Connect connect, long bytesWritten, List<Write> writes, Read read,
                  List<TcpInfo> tcpInfo, ClientClose close, List<String> events) {
        /** A reset reported by a read or a write ({@code Connection reset}, {@code Broken pipe}). */
        boolean sawReset() {
            if (isReset(read.exception())) {
                return true;
            }
            return writes.stream().anyMatch(w -> isReset(w.exception()));
        }

        private static boolean isReset(String exception) {
            return exception != null
                    && (exception.contains("reset") || exception.contains("Broken pipe"));
        }
    }

    enum ServerClose {
        /** Not closed by the handler (open when the server stopped, or failed first). */
        NONE,
        /** close() after the exchange: FIN. */
        FIN,
        /** close() with SO_LINGER 0. */
        LINGER0,
        /** close() with received bytes unread. */
        UNREAD;

        @JsonValue
        String key() {
            return LabJson.key(this);
        }
    }

    /** What the server did with one connection it accepted. */
    record Server(boolean openAtExit, HostPort client, HostPort server, long acceptedEpochUs,
                  String request, long requestBytes, long replyBytes, long bytesReadAfterReply,
                  boolean sawEof, int unreadBytes, ServerClose close, String exception,
                  List<String> events) {
    }

    /** Which way a frame crossed the lossy relay. */
    enum Direction {
        CLIENT_TO_SERVER, SERVER_TO_CLIENT;

        @JsonValue
        String key() {
            return LabJson.key(this);
        }
    }

    /** What a TCP frame the relay handled was, by its flags and place in the connection. */
    enum FrameKind {
        SYN,
        SYN_ACK,
        /** The client's first segment after the SYN-ACK, an ACK without data: its handshake ACK. */
        HANDSHAKE_ACK,
        /** Any other ACK without data, SYN, FIN or RST. */
        ACK,
        DATA,
        FIN,
        RST;

        @JsonValue
        String key() {
            return LabJson.key(this);
        }
    }

    /** Why the relay did not forward a frame. */
    enum DropReason {
        /** Random loss ({@link LabMode.Relay#lossPercent()}). */
        RANDOM,
        /** The mode's {@link LabMode.Drop}. */
        TARGETED,
        /** send() on the other veth end failed (the frame was larger than its MTU, …). */
        SEND_FAILED;

        @JsonValue
        String key() {
            return LabJson.key(this);
        }
    }

    /**
     * One frame the relay did not forward.
     *
     * @param epochUs      when it reached the relay
     * @param flags        tcpdump's notation: {@code S}, {@code S.}, {@code .}, {@code P.}, {@code F.} …
     * @param seq          its sequence number as on the wire
     */
    record Dropped(long epochUs, Direction direction, FrameKind kind, String flags, long seq,
                   int payloadBytes, DropReason reason) {
    }

    /**
     * What the relay saw of one connection: the SYNs and SYN-ACKs that reached it (forwarded or
     * not) and every frame of it that it did not forward. Its log, ground truth of the path.
     */
    record Relayed(HostPort client, HostPort server, int syns, int synAcks,
                   List<Dropped> dropped) {
        boolean dropped(FrameKind kind) {
            return dropped.stream().anyMatch(d -> d.kind() == kind);
        }
    }

    /**
     * The relay's totals over a run.
     *
     * @param seed          of its random loss and delay
     * @param droppedKinds  frames dropped, both ways, by {@link FrameKind#key()}
     * @param maxLateUs     the latest a frame left after its planned departure (how well the
     *                      relay kept its delay)
     * @param lateOverOneMs frames that left more than 1 ms after their planned departure
     */
    record RelayStats(LabMode.Relay path, long seed, long forwardedToServer,
                      long forwardedToClient, long droppedToServer, long droppedToClient,
                      Map<String, Long> droppedKinds, long notTcp, long maxLateUs,
                      long lateOverOneMs) {
    }

    /** One SYN sent through a raw socket from a spoofed source address. */
    record Spoofed(HostPort client, HostPort server, long isn, long sentEpochUs) {
    }
}
