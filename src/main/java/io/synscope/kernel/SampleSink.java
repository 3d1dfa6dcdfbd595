package io.synscope.kernel;

/**
 * Receives each sample's readings as the sampler takes them, on the sampler thread: a store of
 * its own (the live pipeline's kernel log) can keep them as it likes. Calls come in order:
 * {@link #sample}, then {@link #listener} for each listening socket and {@link #counter} for
 * each counter, then {@link #sampled}. Implementations must not block; one that throws is no
 * longer called (its status is reported as {@link SourceStatus#SAMPLE_SINK}).
 */
public interface SampleSink {
    /** Nobody to tell. */
    SampleSink NONE = new SampleSink() {
    };

    /** A sample taken at {@code tsNanos} (CLOCK_REALTIME) starts. Ignored by default. */
    default void sample(long tsNanos) {
    }

    /**
     * A listening socket at this sample. Told only when NETLINK_SOCK_DIAG read the listeners at
     * this sample: once that source has failed (its status says when), samples come with
     * counters only, and a listener not told is not thereby closed.
     *
     * @param address     4 bytes (IPv4) or 16 (IPv6, IPv4-mapped included), network order; the
     *                    sampler's own array: read it during the call, never change or keep it
     * @param acceptQueue connections waiting for accept()
     * @param backlog     the accept queue's limit
     * @param synRecv     request sockets at the latest SYN_RECV count (made every
     *                    {@link KernelConfig#synRecvIntervalMillis}), 0 before the first
     */
    default void listener(byte[] address, int port, int acceptQueue, int backlog, int synRecv) {
    }

    /** A Tcp or TcpExt counter's running total at this sample, by its kernel name. */
    default void counter(String name, long value) {
    }

    /** The sample is complete: everything up to {@code tsNanos} has been told. */
    default void sampled(long tsNanos) {
    }
}
