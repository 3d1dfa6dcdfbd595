package io.synscope.kernel;

/**
 * What the reader of a trace instance did with the kernel's lines so far.
 *
 * @param parsed        events parsed (before the caller's filter)
 * @param kept          events the caller's filter kept and that fitted in the store
 * @param filteredOut   events the filter rejected (other addresses: events are global)
 * @param overCap       events kept by the filter but not stored: the store was full
 * @param unparsed      lines that were not an event of ours (counted, never shown raw)
 * @param lostInKernel  events the kernel's ring buffer overwrote before they were read
 *                      ({@code [LOST n EVENTS]} lines of trace_pipe)
 */
public record TraceCounts(long parsed, long kept, long filteredOut, long overCap, long unparsed,
                          long lostInKernel) {
}
