package io.synscope.capture;

/**
 * A capture that cannot be read: what was wrong, where (byte offset in the decompressed stream,
 * or -1 when there is none) and what was expected there. Each {@link Kind} maps to a distinct,
 * documented exit code in the CLI.
 */
public final class CaptureException extends Exception {

    /** What went wrong, coarse enough to map to an exit code. */
    public enum Kind {
        /** The file or device does not exist or cannot be opened. */
        NOT_FOUND,
        /** Zero bytes. */
        EMPTY,
        /** The first bytes are not a pcap, pcapng or gzip magic. */
        NOT_A_CAPTURE,
        /** A header or block is inconsistent (bad length, bad magic inside the stream). */
        CORRUPT,
        /** Every frame is of a link type synscope cannot decode. */
        UNSUPPORTED_LINK_TYPE,
        /** The operating system failed a read. */
        IO,
        /** Live: no interface of that name (the message lists those that exist). */
        NO_SUCH_INTERFACE,
        /** Live: capturing (or entering a namespace) needs privileges this process lacks. */
        PERMISSION,
        /** Live: libpcap is not installed, or not a version synscope can call. */
        NO_LIBPCAP,
        /** Live: libpcap rejected the filter expression (its own words in the message). */
        BAD_FILTER,
        /** Live: no network namespace of that name. */
        NO_SUCH_NAMESPACE,
        /** Live: the interface went down or away during the capture. */
        INTERFACE_GONE
    }

    private final Kind kind;
    private final String source;
    private final long offset;

    public CaptureException(Kind kind, String source, long offset, String message) {
        this(kind, source, offset, message, null);
    }

    public CaptureException(Kind kind, String source, long offset, String message, Throwable cause) {
        super(message, cause);
        this.kind = kind;
        this.source = source;
        this.offset = offset;
    }

    public Kind kind() {
        return kind;
    }

    /** The capture's name as the user gave it. */
    public String source() {
        return source;
    }

    /** Byte offset of the problem, or -1. */
    public long offset() {
        return offset;
    }

    /**
     * One line for users: {@code file: at offset N: message}, with what came from outside (the
     * name, an operating system's words) made safe to print ({@link Printable}).
     */
    public String describe() {
        return Printable.escape(offset >= 0
                ? source + ": at offset " + offset + ": " + getMessage()
                : source + ": " + getMessage());
    }
}
