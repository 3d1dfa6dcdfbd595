package io.synscope.kernel;

import io.synscope.capture.Printable;

/**
 * What one part of the kernel tracing could do here, said once: a source ({@code tracefs},
 * {@code clock}, {@code tcp:tcp_send_reset}, …), whether it works, and why (or how, when it
 * does). {@code why} may hold the kernel's or the file system's words: print it through
 * {@link #describe()}.
 */
public record TraceStatus(String source, boolean available, String why) {
    /** e.g. {@code tcp:tcp_send_reset: unavailable: the event is not in this kernel}. */
    public String describe() {
        return source + ": " + (available ? "" : "unavailable: ") + Printable.escape(why);
    }
}
