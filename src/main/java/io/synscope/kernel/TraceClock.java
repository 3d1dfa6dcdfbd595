package io.synscope.kernel;

/**
 * How trace timestamps become the packets' clock (CLOCK_REALTIME, as pcap timestamps):
 * {@code realtime = trace + offsetNanos}.
 *
 * <p>Measured at start: synscope writes markers into its instance's {@code trace_marker},
 * reading CLOCK_REALTIME just before and just after each write; the kernel stamps each marker
 * with the trace clock inside the write, so {@code (before + after) / 2 - stamp} is the offset
 * to within half the write's duration, plus the microsecond of the printed stamp. The narrowest
 * write is kept. With the {@code tai} clock the offset is the TAI offset (0 where nobody set
 * it, 37 s where an NTP daemon did) and stays put; with {@code mono} or {@code boot} it drifts
 * with NTP's slewing (up to 0.5 ms per second) and the figure holds near the start only.
 *
 * @param name        the trace clock used ({@code tai}, {@code mono}, …)
 * @param offsetNanos what to add to a trace timestamp
 * @param errorNanos  the measurement's bound: half the narrowest write plus the stamp's 1 µs
 * @param measured    false when no marker came back: the offset is then 0, unmeasured, and
 *                    event times are not on the packets' clock
 */
public record TraceClock(String name, long offsetNanos, long errorNanos, boolean measured) {
    /** The realtime nanoseconds of a trace timestamp. */
    public long toRealtime(long traceNanos) {
        return traceNanos + offsetNanos;
    }

    public String describe() {
        return measured
                ? String.format(java.util.Locale.ROOT, "trace clock %s, offset to realtime %.6f s"
                + " ± %.1f µs (measured with markers)", name, offsetNanos / 1e9, errorNanos / 1e3)
                : "trace clock " + name + ", offset to realtime not measured";
    }
}
