package io.synscope.kernel;

import java.util.Arrays;

/**
 * One file's counters over the run: the first and the latest value of each, enough for the
 * deltas of the whole run. The latest values are copied out of the file's read buffer, so a read
 * that fails halfway leaves the last good sample. Questions about time windows are the sample
 * sink's to answer ({@link SampleSink} is told every sample). Not thread-safe (the sampler locks).
 */
final class CounterRun {
    private final String[] names;
    private final long[] first;
    private final long[] latest;

    CounterRun(String[] names, long[] values) {
        this.names = names.clone();
        this.first = Arrays.copyOf(values, names.length);
        this.latest = first.clone();
    }

    /** Records a sample: {@code values} index for index with the names. */
    void sample(long[] values) {
        System.arraycopy(values, 0, latest, 0, names.length);
    }

    String[] names() {
        return names.clone();
    }

    /** Latest minus first value of each counter, in file order. */
    long[] runDeltas() {
        long[] d = new long[names.length];
        for (int i = 0; i < d.length; i++) {
            d[i] = latest[i] - first[i];
        }
        return d;
    }
}
