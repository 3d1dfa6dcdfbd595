package io.synscope.diagnose;

import java.util.Locale;

/**
 * Decimal text of an integer count of small units (nanoseconds as seconds with one decimal),
 * exactly as {@code String.format(Locale.ROOT, "%.Nf", n / 1eK)} prints it, without
 * {@link java.util.Formatter}: its first use costs a short run tens of milliseconds (locale data,
 * a regex), and every later one about a microsecond on the per-connection path.
 *
 * <p>Why it is exact: {@code n / 1eK} is the double nearest the decimal {@code n·10^-K}, which for
 * {@code |n| < 10^15} has at most 15 significant digits and so is also the shortest decimal of
 * that double; Formatter rounds that decimal half up, and so does this, in integers. Larger
 * {@code |n|} are left to Formatter.
 */
public final class FixedPoint {
    private static final long EXACT_BELOW = 1_000_000_000_000_000L;
    private static final long[] POW10 = {1L, 10L, 100L, 1_000L, 10_000L, 100_000L, 1_000_000L,
            10_000_000L, 100_000_000L, 1_000_000_000L};
    private static final double[] POW10_DOUBLE = {1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8,
            1e9};

    private FixedPoint() {
    }

    /**
     * Appends {@code n / 10^scale} with {@code decimals} digits after the point to {@code sb};
     * decimals ≤ scale ≤ 9. Returns {@code sb}.
     */
    public static StringBuilder append(StringBuilder sb, long n, int scale, int decimals) {
        if (n <= -EXACT_BELOW || n >= EXACT_BELOW) {
            return sb.append(String.format(Locale.ROOT, "%." + decimals + "f",
                    n / POW10_DOUBLE[scale]));
        }
        if (n < 0) {
            // Formatter signs every negative value, "-0.0" included.
            sb.append('-');
            n = -n;
        }
        long unit = POW10[scale - decimals];
        long rounded = (n + unit / 2) / unit;
        long one = POW10[decimals];
        sb.append(rounded / one);
        if (decimals > 0) {
            sb.append('.');
            long fraction = rounded % one;
            for (long p = one / 10; p > fraction && p > 1; p /= 10) {
                sb.append('0');
            }
            sb.append(fraction);
        }
        return sb;
    }
}
