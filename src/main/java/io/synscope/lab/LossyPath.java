package io.synscope.lab;

import io.synscope.diagnose.HostPort;
import io.synscope.lab.Truth.Direction;
import io.synscope.lab.Truth.DropReason;
import io.synscope.lab.Truth.FrameKind;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.TreeMap;

/**
 * What the lab's lossy path does to each frame, apart from moving it: whether it is dropped
 * (random loss of TCP frames, the mode's targeted drops) and when it leaves; and the log of
 * what it dropped, per connection. {@link LabRelay} moves the frames; this holds no socket, so
 * it can be tested with crafted frames.
 *
 * <p>Frames keep their order in each direction: a frame leaves at its arrival plus a delay
 * drawn uniformly from delay ± jitter, or just after the frame before it if that is later.
 * Jitter that reorders would add out-of-order segments, duplicate ACKs and SACK blocks, which
 * real paths rarely show and which would blur what the lossy modes are about: what loss does
 * to a handshake. Only Ethernet IPv4 TCP frames are dropped; ARP and everything else is
 * delayed like them and always forwarded, so neighbour resolution never fails.
 *
 * <p>Thread-safe: the two directions' threads call it.
 */
final class LossyPath {
    private static final int ETHERNET_BYTES = 14;
    private static final int FIN = 0x01;
    private static final int SYN = 0x02;
    private static final int RST = 0x04;
    private static final int PSH = 0x08;
    private static final int ACK = 0x10;

    private final LabMode.Relay config;
    private final long seed;
    private final SplittableRandom random;
    private final Map<Key, Conn> conns = new LinkedHashMap<>();
    private final long[] lastDepartureNanos = new long[Direction.values().length];
    private final long[] forwarded = new long[Direction.values().length];
    private final long[] dropped = new long[Direction.values().length];
    private long notTcp;
    private long maxLateNanos;
    private long lateOverOneMs;

    LossyPath(LabMode.Relay config, long seed) {
        this.config = config;
        this.seed = seed;
        this.random = new SplittableRandom(seed);
    }

    /** Client address and port, server address and port (IPv4 as an int). */
    private record Key(int clientIp, int clientPort, int serverIp, int serverPort) {
    }

    /** One connection as the relay saw it. */
    private static final class Conn {
        int syns;
        int synAcks;
        /** A segment from the client with ACK and without SYN went by: the handshake ACK is past. */
        boolean clientAcked;
        final List<Truth.Dropped> dropped = new ArrayList<>();
    }

    /** The fields of an IPv4 TCP frame the relay acts on. */
    private record Segment(Key key, int flags, long seq, int payloadBytes) {
    }

    /**
     * Whether to drop {@code frame} (its first {@code length} bytes), which reached the relay
     * going {@code d} at {@code epochUs}; a dropped frame goes into the log.
     */
    synchronized boolean drop(byte[] frame, int length, Direction d, long epochUs) {
        Segment s = segment(frame, length, d);
        if (s == null) {
            notTcp++;
            return false;
        }
        Conn c = conns.computeIfAbsent(s.key, k -> new Conn());
        FrameKind kind = kind(s, d, c);
        if (kind == FrameKind.SYN) {
            c.syns++;
        } else if (kind == FrameKind.SYN_ACK) {
            c.synAcks++;
        }
        if (d == Direction.CLIENT_TO_SERVER && (s.flags & ACK) != 0 && (s.flags & SYN) == 0) {
            c.clientAcked = true;
        }
        DropReason why = null;
        if (targeted(kind, c)) {
            why = DropReason.TARGETED;
        } else if (config.lossPercent() > 0 && random.nextDouble() * 100 < config.lossPercent()) {
            why = DropReason.RANDOM;
        }
        if (why != null) {
            log(c, s, kind, d, epochUs, why);
        }
        return why != null;
    }

    /**
     * A frame drop() kept could not be sent: it is logged as dropped after all. Only data
     * frames are large enough to fail, so its kind is read with the connection as it is now.
     */
    synchronized void sendFailed(byte[] frame, int length, Direction d, long epochUs) {
        Segment s = segment(frame, length, d);
        if (s != null) {
            Conn c = conns.computeIfAbsent(s.key, k -> new Conn());
            log(c, s, kind(s, d, c), d, epochUs, DropReason.SEND_FAILED);
        }
    }

    private void log(Conn c, Segment s, FrameKind kind, Direction d, long epochUs,
                     DropReason why) {
        c.dropped.add(new Truth.Dropped(epochUs, d, kind, flags(s.flags), s.seq, s.payloadBytes,
                why));
        dropped[d.ordinal()]++;
    }

    /** The frame's TCP fields, or null when it is not Ethernet, IPv4 and TCP. */
    private static Segment segment(byte[] frame, int length, Direction d) {
        int ip = ETHERNET_BYTES;
        if (length < ip + 20 || (frame[12] & 0xFF) != 0x08 || frame[13] != 0x00
                || (frame[ip] & 0xF0) != 0x40 || frame[ip + 9] != 6) {
            return null;
        }
        int ipHeader = (frame[ip] & 0x0F) * 4;
        int tcp = ip + ipHeader;
        if (length < tcp + 20) {
            return null;
        }
        int src = intAt(frame, ip + 12);
        int dst = intAt(frame, ip + 16);
        int sport = shortAt(frame, tcp);
        int dport = shortAt(frame, tcp + 2);
        Key key = d == Direction.CLIENT_TO_SERVER ? new Key(src, sport, dst, dport)
                : new Key(dst, dport, src, sport);
        int payload = shortAt(frame, ip + 2) - ipHeader - ((frame[tcp + 12] & 0xF0) >> 2);
        return new Segment(key, frame[tcp + 13] & 0x3F,
                Integer.toUnsignedLong(intAt(frame, tcp + 4)), Math.max(0, payload));
    }

    private static FrameKind kind(Segment s, Direction d, Conn c) {
        int flags = s.flags;
        if ((flags & SYN) != 0) {
            return (flags & ACK) != 0 ? FrameKind.SYN_ACK : FrameKind.SYN;
        }
        if ((flags & RST) != 0) {
            return FrameKind.RST;
        }
        if ((flags & FIN) != 0) {
            return FrameKind.FIN;
        }
        if (s.payloadBytes > 0) {
            return FrameKind.DATA;
        }
        return d == Direction.CLIENT_TO_SERVER && !c.clientAcked ? FrameKind.HANDSHAKE_ACK
                : FrameKind.ACK;
    }

    private boolean targeted(FrameKind kind, Conn c) {
        return switch (config.drop()) {
            case NONE -> false;
            case HANDSHAKE_ACK -> kind == FrameKind.HANDSHAKE_ACK;
            case FIRST_SYNACK -> kind == FrameKind.SYN_ACK && c.synAcks == 1;
        };
    }

    /**
     * When a frame that reached the relay at {@code arrivalNanos} going {@code d} leaves:
     * after its delay, and after the frame before it in the same direction.
     */
    synchronized long departureNanos(Direction d, long arrivalNanos) {
        long delay = config.delayMillis() * 1_000_000L;
        if (config.jitterMillis() > 0) {
            long jitter = config.jitterMillis() * 1_000_000L;
            delay += random.nextLong(-jitter, jitter + 1);
        }
        long at = Math.max(arrivalNanos + delay, lastDepartureNanos[d.ordinal()] + 1);
        lastDepartureNanos[d.ordinal()] = at;
        return at;
    }

    /** A frame going {@code d} was sent {@code lateNanos} after its planned departure. */
    synchronized void sent(Direction d, long lateNanos) {
        forwarded[d.ordinal()]++;
        maxLateNanos = Math.max(maxLateNanos, lateNanos);
        if (lateNanos > 1_000_000) {
            lateOverOneMs++;
        }
    }

    /** The log: every TCP connection the relay saw, in the order it first saw them. */
    synchronized List<Truth.Relayed> log() {
        List<Truth.Relayed> out = new ArrayList<>();
        conns.forEach((k, c) -> out.add(new Truth.Relayed(hostPort(k.clientIp, k.clientPort),
                hostPort(k.serverIp, k.serverPort), c.syns, c.synAcks, List.copyOf(c.dropped))));
        return out;
    }

    synchronized Truth.RelayStats stats() {
        int toServer = Direction.CLIENT_TO_SERVER.ordinal();
        int toClient = Direction.SERVER_TO_CLIENT.ordinal();
        Map<String, Long> kinds = new TreeMap<>();
        for (Conn c : conns.values()) {
            for (Truth.Dropped d : c.dropped) {
                kinds.merge(d.kind().key(), 1L, Long::sum);
            }
        }
        return new Truth.RelayStats(config, seed, forwarded[toServer], forwarded[toClient],
                dropped[toServer], dropped[toClient], kinds, notTcp, maxLateNanos / 1000,
                lateOverOneMs);
    }

    /** tcpdump's notation: S, F, R, P in that order, then {@code .} for ACK. */
    static String flags(int flags) {
        StringBuilder s = new StringBuilder();
        if ((flags & SYN) != 0) {
            s.append('S');
        }
        if ((flags & FIN) != 0) {
            s.append('F');
        }
        if ((flags & RST) != 0) {
            s.append('R');
        }
        if ((flags & PSH) != 0) {
            s.append('P');
        }
        if ((flags & ACK) != 0) {
            s.append('.');
        }
        return s.toString();
    }

    private static HostPort hostPort(int ip, int port) {
        return new HostPort((ip >>> 24) + "." + (ip >> 16 & 0xFF) + "." + (ip >> 8 & 0xFF) + "."
                + (ip & 0xFF), port);
    }

    private static int intAt(byte[] b, int at) {
        return (b[at] & 0xFF) << 24 | (b[at + 1] & 0xFF) << 16 | (b[at + 2] & 0xFF) << 8
                | (b[at + 3] & 0xFF);
    }

    private static int shortAt(byte[] b, int at) {
        return (b[at] & 0xFF) << 8 | (b[at + 1] & 0xFF);
    }
}
