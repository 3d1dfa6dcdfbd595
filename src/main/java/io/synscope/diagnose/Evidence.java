package io.synscope.diagnose;

/**
 * One packet that supports a verdict.
 *
 * @param frame  1-based frame number in the capture (as Wireshark numbers them)
 * @param tsNanos capture time, nanoseconds since the epoch
 * @param note   what this packet shows, one line
 */
public record Evidence(long frame, long tsNanos, String note) {
}
