package io.synscope.lab;

/**
 * Why the lab could not run, as one line for the user; {@link Kind} decides the exit code.
 * Never carries a stack trace to the terminal.
 */
public final class LabException extends Exception {
    private static final long serialVersionUID = 1L;

    public enum Kind {
        /** The lab needs Linux network namespaces. */
        NOT_LINUX,
        /** Creating namespaces, raw sockets and captures needs root. */
        NOT_ROOT,
        /** A program the lab runs is not installed; the message names its package. */
        TOOL_MISSING,
        /** {@code ip netns add} failed (no namespace support, a container without privileges). */
        NAMESPACE,
        /** A step of a run failed: a command, a capture that did not start, a program that died. */
        RUN_FAILED
    }

    private final Kind kind;

    public LabException(Kind kind, String message) {
        super(message);
        this.kind = kind;
    }

    public Kind kind() {
        return kind;
    }
}
