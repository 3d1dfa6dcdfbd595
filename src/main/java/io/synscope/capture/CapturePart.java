package io.synscope.capture;

/**
 * One file of several read as one capture ({@link MergedSource}): what it was and which of the
 * merged frames came from it.
 *
 * @param name       the file's path as the user gave it (inside a directory: the directory's
 *                   path joined with the file's name)
 * @param format     as {@link PacketSource#format()}
 * @param frames     frames read from it
 * @param firstFrame merged frame number of its first frame; 0 when it had none
 * @param lastFrame  merged frame number of its last frame; 0 when it had none
 * @param firstTsNanos time of its first frame (0 when it had none)
 * @param lastTsNanos  time of its last frame (0 when it had none)
 */
public record CapturePart(String name, String format, long frames, long firstFrame,
                          long lastFrame, long firstTsNanos, long lastTsNanos) {
}
