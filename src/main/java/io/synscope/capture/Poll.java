package io.synscope.capture;

/** What {@link PacketSource#poll} found. */
public enum Poll {
    /** A frame was read into the caller's {@link RawPacket}. */
    FRAME,
    /** No frame came within the time asked: a live link is quiet. Files never say this. */
    NONE,
    /** The capture ended (end of file, a cut, or a live capture told to stop). */
    END
}
