package io.synscope.diagnose;

/**
 * What the kernel of the captured host recorded, asked the way the classifier needs it: one more
 * input to {@link Classifier}, which stays a pure function of the packets and this. Addresses are
 * in the tracker's form (two longs, IPv4 mapped into IPv6, see {@link io.synscope.capture.Addresses});
 * times are on the packets' clock.
 *
 * <p>An implementation answers the same question the same way once the kernel's evidence up to
 * the time asked about has been read: a live run waits for that before it classifies (see
 * {@code pipeline.KernelEvidence}), a file carries all of it. Where the kernel did not say
 * (no such source on this run, no sample then), the answer is "unknown" ({@code null}, -1), never
 * a guess: the rules then fall back on the packets alone.
 */
public interface KernelView {
    /** No kernel evidence at all: an ordinary capture file. */
    KernelView NONE = new KernelView() {
        @Override
        public KernelReset resetSent(long srcHi, long srcLo, int srcPort, long dstHi, long dstLo,
                                     int dstPort, long tsNanos) {
            return null;
        }

        @Override
        public QueueReading acceptQueue(long hi, long lo, int port, long fromNanos, long toNanos) {
            return null;
        }

        @Override
        public long counterRise(String name, long fromNanos, long toNanos) {
            return -1;
        }

        @Override
        public boolean listenerClosed(long hi, long lo, int port, long tsNanos) {
            return false;
        }
    };

    /**
     * The kernel's record of the reset it sent from {@code src} to {@code dst} nearest to
     * {@code tsNanos} (within the clock error between the trace and the packets), or null when
     * none was recorded or resets were not traced.
     */
    KernelReset resetSent(long srcHi, long srcLo, int srcPort, long dstHi, long dstLo, int dstPort,
                          long tsNanos);

    /**
     * The accept queue of the listener on {@code port} (at that address, or on the wildcard
     * address) as sampled over {@code [fromNanos, toNanos]}, widened to the samples on either
     * side; null when the listener was not sampled then.
     */
    QueueReading acceptQueue(long hi, long lo, int port, long fromNanos, long toNanos);

    /**
     * How much the namespace's counter {@code name} (e.g. {@code ListenOverflows}) rose over
     * {@code [fromNanos, toNanos]}, widened to the samples on either side; -1 when unknown.
     */
    long counterRise(String name, long fromNanos, long toNanos);

    /**
     * Whether the listener on {@code port} (at that address, or the wildcard one) went away
     * around {@code tsNanos}: listed by the sample before, gone from the one after. Its queued
     * connections, never accepted, are reset then.
     */
    boolean listenerClosed(long hi, long lo, int port, long tsNanos);

    /**
     * One reset as the kernel's {@code tcp:tcp_send_reset} event gave it.
     *
     * @param reason the kernel's {@code sk_rst_reason} name, e.g. {@code TCP_ABORT_ON_CLOSE};
     *               null on kernels before 6.10, which do not give one
     * @param state  the socket's state name, e.g. {@code TCP_CLOSE}
     */
    record KernelReset(long tsNanos, String reason, String state) {
    }

    /**
     * A listener's accept queue over a time window.
     *
     * @param backlog   its limit, min(listen() backlog, net.core.somaxconn)
     * @param peakDepth the most connections waiting in it at one sample
     * @param full      whether a sample found it full (more waiting than the backlog, which is
     *                  when the kernel refuses: docs/kernel.md)
     */
    record QueueReading(int backlog, int peakDepth, boolean full) {
    }
}
