package io.synscope.kernel;

import java.util.HashMap;
import java.util.Map;
import java.util.OptionalLong;

/**
 * One file's counters over the run: the first and the latest values, and the changes of the
 * latest samples, in a ring of {@code capacity} (time, counter, new value) entries in primitive
 * arrays. A full ring folds its oldest change into a base, so the memory is fixed and the
 * whole-run deltas stay exact; a question about a time before the oldest kept change has no
 * answer. Quiet counters cost nothing: only changes are kept. Not thread-safe (the sampler locks).
 */
final class CounterHistory {
    private final String[] names;
    private final Map<String, Integer> index = new HashMap<>();
    private final long[] first;
    private final long[] latest;
    /** The values after every change folded out of the ring. */
    private final long[] base;
    private final long[] ringNanos;
    private final int[] ringCounter;
    private final long[] ringValue;
    private int head;
    private int size;
    private long foldedUpToNanos;
    private long folded;
    private final long firstNanos;
    private long lastNanos;

    CounterHistory(String[] names, long[] values, long tsNanos, int capacity) {
        this.names = names.clone();
        for (int i = 0; i < names.length; i++) {
            index.putIfAbsent(names[i], i);
        }
        this.first = java.util.Arrays.copyOf(values, names.length);
        this.latest = first.clone();
        this.base = first.clone();
        this.ringNanos = new long[capacity];
        this.ringCounter = new int[capacity];
        this.ringValue = new long[capacity];
        this.firstNanos = tsNanos;
        this.lastNanos = tsNanos;
        this.foldedUpToNanos = tsNanos;
    }

    /** Records a sample: {@code values} index for index with the names. */
    void sample(long[] values, long tsNanos) {
        for (int i = 0; i < names.length; i++) {
            if (values[i] != latest[i]) {
                latest[i] = values[i];
                append(tsNanos, i, values[i]);
            }
        }
        lastNanos = tsNanos;
    }

    private void append(long tsNanos, int counter, long value) {
        int capacity = ringNanos.length;
        if (size == capacity) {
            base[ringCounter[head]] = ringValue[head];
            foldedUpToNanos = ringNanos[head];
            folded++;
            head = (head + 1) % capacity;
            size--;
        }
        int at = (head + size) % capacity;
        ringNanos[at] = tsNanos;
        ringCounter[at] = counter;
        ringValue[at] = value;
        size++;
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

    boolean has(String name) {
        return index.containsKey(name);
    }

    /**
     * How much {@code name} moved between the samples at or before {@code fromNanos} and at or
     * before {@code toNanos}; empty when the name is unknown or a time is outside what is kept
     * (before the first sample or the oldest kept change, after the last sample).
     */
    OptionalLong delta(String name, long fromNanos, long toNanos) {
        Integer c = index.get(name);
        if (c == null || !kept(fromNanos, toNanos)) {
            return OptionalLong.empty();
        }
        return OptionalLong.of(valueAt(c, toNanos) - valueAt(c, fromNanos));
    }

    /**
     * Every counter that moved between the samples at or before {@code fromNanos} and at or
     * before {@code toNanos}, into {@code into} by name; false (and nothing put) when a time is
     * outside what is kept.
     */
    boolean movedBetween(long fromNanos, long toNanos, Map<String, Long> into) {
        if (!kept(fromNanos, toNanos)) {
            return false;
        }
        long[] from = base.clone();
        long[] to = base.clone();
        for (int k = 0; k < size; k++) {
            int at = (head + k) % ringNanos.length;
            if (ringNanos[at] > toNanos) {
                break;
            }
            to[ringCounter[at]] = ringValue[at];
            if (ringNanos[at] <= fromNanos) {
                from[ringCounter[at]] = ringValue[at];
            }
        }
        for (int i = 0; i < names.length; i++) {
            if (to[i] != from[i]) {
                into.put(names[i], to[i] - from[i]);
            }
        }
        return true;
    }

    /** Whether the values at both times are known: sampled, and not folded away. */
    private boolean kept(long fromNanos, long toNanos) {
        return fromNanos >= Math.max(firstNanos, foldedUpToNanos) && toNanos <= lastNanos
                && fromNanos <= toNanos;
    }

    private long valueAt(int counter, long tsNanos) {
        long value = base[counter];
        for (int k = 0; k < size; k++) {
            int at = (head + k) % ringNanos.length;
            if (ringNanos[at] > tsNanos) {
                break;
            }
            if (ringCounter[at] == counter) {
                value = ringValue[at];
            }
        }
        return value;
    }

    /** Changes folded out of the ring so far. */
    long folded() {
        return folded;
    }
}
