package io.synscope.cli;

import io.synscope.capture.CaptureException;

/** Process exit codes; documented in README.md and docs/usage.md#exit-codes. Never renumber. */
public final class ExitCode {
    public static final int OK = 0;
    public static final int INTERNAL_ERROR = 1;
    /** picocli's own code for a bad command line. */
    public static final int USAGE = 2;
    public static final int NOT_FOUND = 3;
    public static final int EMPTY = 4;
    public static final int NOT_A_CAPTURE = 5;
    public static final int CORRUPT = 6;
    public static final int UNSUPPORTED_LINK_TYPE = 7;
    public static final int IO_ERROR = 8;
    // synscope lab
    public static final int LAB_MISMATCH = 10;
    public static final int LAB_NOT_LINUX = 11;
    public static final int LAB_NOT_ROOT = 12;
    public static final int LAB_TOOL_MISSING = 13;
    public static final int LAB_NAMESPACE = 14;
    public static final int LAB_RUN_FAILED = 15;
    // synscope live
    public static final int NO_SUCH_INTERFACE = 20;
    public static final int PERMISSION = 21;
    public static final int NO_LIBPCAP = 22;
    public static final int BAD_FILTER = 23;
    public static final int NO_SUCH_NAMESPACE = 24;
    /** The final report was written, then: the interface went down or away mid-capture. */
    public static final int INTERFACE_GONE = 25;
    /** {@code --metrics ADDR:PORT} cannot be served: the port is taken, the address is not
     *  this host's (or no address at all), or binding it is not allowed. Nothing was captured. */
    public static final int METRICS_UNAVAILABLE = 26;
    /** Ctrl-C or SIGTERM (128 + SIGINT): the report covers what was read until then. */
    public static final int INTERRUPTED = 130;

    private ExitCode() {
    }

    static int of(CaptureException.Kind kind) {
        return switch (kind) {
            case NOT_FOUND -> NOT_FOUND;
            case EMPTY -> EMPTY;
            case NOT_A_CAPTURE -> NOT_A_CAPTURE;
            case CORRUPT -> CORRUPT;
            case UNSUPPORTED_LINK_TYPE -> UNSUPPORTED_LINK_TYPE;
            case IO -> IO_ERROR;
            case NO_SUCH_INTERFACE -> NO_SUCH_INTERFACE;
            case PERMISSION -> PERMISSION;
            case NO_LIBPCAP -> NO_LIBPCAP;
            case BAD_FILTER -> BAD_FILTER;
            case NO_SUCH_NAMESPACE -> NO_SUCH_NAMESPACE;
            case INTERFACE_GONE -> INTERFACE_GONE;
        };
    }
}
