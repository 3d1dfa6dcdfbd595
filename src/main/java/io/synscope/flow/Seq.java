package io.synscope.flow;

/**
 * TCP sequence-number arithmetic (RFC 1982 serial numbers). Sequence numbers are unsigned 32-bit
 * values held in an {@code int}; their difference as a signed {@code int} is the distance from
 * one to the other, which is right as long as the two are within 2^31 of each other — true for
 * any two numbers of one connection that are compared here.
 */
public final class Seq {
    private Seq() {
    }

    /** Signed distance from {@code b} to {@code a}: positive when {@code a} is after {@code b}. */
    public static int diff(int a, int b) {
        return a - b;
    }

    /** {@code a > b} in sequence space. */
    public static boolean after(int a, int b) {
        return a - b > 0;
    }

    /** {@code a < b} in sequence space. */
    public static boolean before(int a, int b) {
        return a - b < 0;
    }

    /** The unsigned value of a sequence number, for display. */
    public static long unsigned(int seq) {
        return seq & 0xFFFF_FFFFL;
    }
}
