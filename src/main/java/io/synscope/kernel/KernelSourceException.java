package io.synscope.kernel;

/** A kernel source that cannot be read; the message says why, in the user's terms. */
final class KernelSourceException extends Exception {
    private static final long serialVersionUID = 1L;

    KernelSourceException(String message) {
        super(message);
    }
}
