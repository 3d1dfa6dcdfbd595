package io.synscope.capture;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.regex.Pattern;

/**
 * Formats an address held as two longs, IPv4 as IPv4-mapped (the form of
 * {@code io.synscope.decode.TcpSegment}): packets and kernel sources print addresses alike.
 */
public final class Addresses {
    /** The low word of {@code ::ffff:0.0.0.0}: an IPv4 address's is this and its 32 bits. */
    public static final long V4_MAPPED_LO_PREFIX = 0x0000_FFFF_0000_0000L;

    private static final Pattern IPV4 = Pattern.compile("\\d{1,3}(\\.\\d{1,3}){3}");
    private static final Pattern IPV6 = Pattern.compile("[0-9a-fA-F:.]*:[0-9a-fA-F:.]*");

    private Addresses() {
    }

    /** True for an IPv4-mapped address ({@code ::ffff:a.b.c.d}). */
    public static boolean isV4(long hi, long lo) {
        return hi == 0 && (lo & 0xFFFF_FFFF_0000_0000L) == V4_MAPPED_LO_PREFIX;
    }

    /** The high word of a 4-byte (IPv4, mapped) or 16-byte (IPv6) address. */
    public static long hi(byte[] address) {
        return address.length == 4 ? 0 : word(address, 0);
    }

    /** The low word of a 4-byte (IPv4, mapped) or 16-byte (IPv6) address. */
    public static long lo(byte[] address) {
        if (address.length == 4) {
            return V4_MAPPED_LO_PREFIX | (word(address, 0) >>> 32);
        }
        return word(address, 8);
    }

    /** Whether {@code hi, lo} is the wildcard address of its family (0.0.0.0 or ::). */
    public static boolean isWildcard(long hi, long lo) {
        return hi == 0 && (lo == 0 || lo == V4_MAPPED_LO_PREFIX);
    }

    /**
     * The bytes of an address literal (4 for IPv4, 16 for IPv6), or null for anything else,
     * {@code null} included. Never a name lookup: IPv4 is parsed here, since
     * {@link InetAddress#getByName} takes what is not a dotted quad ({@code 999.1.1.1}) for a
     * host name and asks DNS, which a file or a trace must never make synscope do; only a text
     * of hex digits, dots and at least one colon reaches it, as an IPv6 literal.
     */
    public static byte[] literal(String text) {
        if (text == null) {
            return null;
        }
        if (IPV4.matcher(text).matches()) {
            String[] parts = text.split("\\.");
            byte[] b = new byte[4];
            for (int i = 0; i < 4; i++) {
                int octet = Integer.parseInt(parts[i]);
                if (octet > 255) {
                    return null;
                }
                b[i] = (byte) octet;
            }
            return b;
        }
        if (!IPV6.matcher(text).matches()) {
            return null;
        }
        try {
            return InetAddress.getByName(text).getAddress();
        } catch (UnknownHostException e) {
            return null;
        }
    }

    private static long word(byte[] b, int from) {
        long w = 0;
        for (int i = 0; i < 8; i++) {
            w = w << 8 | (from + i < b.length ? b[from + i] & 0xFF : 0);
        }
        return w;
    }

    /** Dotted quad for IPv4-mapped addresses, RFC 5952 text for IPv6. */
    public static String format(long hi, long lo) {
        if (isV4(hi, lo)) {
            return ((lo >>> 24) & 0xFF) + "." + ((lo >>> 16) & 0xFF) + "." + ((lo >>> 8) & 0xFF)
                    + "." + (lo & 0xFF);
        }
        byte[] bytes = new byte[16];
        for (int i = 0; i < 8; i++) {
            bytes[i] = (byte) (hi >>> (56 - 8 * i));
            bytes[8 + i] = (byte) (lo >>> (56 - 8 * i));
        }
        try {
            return compress(InetAddress.getByAddress(bytes).getHostAddress());
        } catch (UnknownHostException impossible) {
            throw new AssertionError("16 bytes is always a valid address", impossible);
        }
    }

    /** Java prints every group ({@code 1234:0:0:0:0:0:0:e}); RFC 5952 wants the longest zero run as {@code ::}. */
    private static String compress(String full) {
        String[] groups = full.split(":");
        int bestStart = -1;
        int bestLen = 0;
        for (int i = 0; i < groups.length; ) {
            if (groups[i].equals("0")) {
                int j = i;
                while (j < groups.length && groups[j].equals("0")) {
                    j++;
                }
                if (j - i > bestLen && j - i > 1) {
                    bestStart = i;
                    bestLen = j - i;
                }
                i = j;
            } else {
                i++;
            }
        }
        if (bestStart < 0) {
            return full;
        }
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < bestStart; i++) {
            sb.append(i > 0 ? ":" : "").append(groups[i]);
        }
        sb.append("::");
        for (int i = bestStart + bestLen; i < groups.length; i++) {
            sb.append(i > bestStart + bestLen ? ":" : "").append(groups[i]);
        }
        return sb.toString();
    }
}
