package io.synscope.export;

import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Standard input kept in a temporary file as it is read, for {@code analyze - --export}: the
 * export reads the capture a second time, which a pipe cannot give. Bounded by the disk, not
 * by memory; the bytes are kept as they came (gzip stays gzip). A failure to keep them does
 * not stop the analysis: it is remembered ({@link #failure()}) and the export says it cannot
 * be made.
 */
public final class Spool extends FilterInputStream {
    private final Path file;
    private OutputStream copy;
    private IOException failure;

    /**
     * Creates the temporary file (in {@code java.io.tmpdir}, which the launcher sets from
     * {@code TMPDIR}). One that cannot be created is a {@link #failure()} like any other: the
     * analysis goes on without the copy.
     */
    public Spool(InputStream in) {
        super(in);
        Path made = null;
        try {
            made = Files.createTempFile("synscope-stdin-", ".spool");
            made.toFile().deleteOnExit();
            copy = Files.newOutputStream(made);
        } catch (IOException e) {
            failure = e;
        }
        file = made;
    }

    /** Where the copy is, or is meant to be (the temporary folder when none was created). */
    public Path file() {
        return file != null ? file : Path.of(System.getProperty("java.io.tmpdir"));
    }

    /** Why the bytes could not all be kept, or null. */
    public IOException failure() {
        return failure;
    }

    @Override
    public int read() throws IOException {
        int b = super.read();
        if (b >= 0) {
            keep(new byte[] {(byte) b}, 0, 1);
        }
        return b;
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
        int n = super.read(b, off, len);
        if (n > 0) {
            keep(b, off, n);
        }
        return n;
    }

    /** Read through, not skipped: the skipped bytes belong in the copy too. */
    @Override
    public long skip(long n) throws IOException {
        byte[] through = new byte[(int) Math.max(0, Math.min(n, 8192))];
        return Math.max(0, read(through, 0, through.length));
    }

    @Override
    public boolean markSupported() {
        return false;
    }

    private void keep(byte[] b, int off, int len) {
        if (copy == null) {
            return;
        }
        try {
            copy.write(b, off, len);
        } catch (IOException e) {
            failure = e;
            closeCopy();
        }
    }

    /** Ends the copy: what was read is in {@link #file()}. */
    @Override
    public void close() throws IOException {
        try {
            super.close();
        } finally {
            closeCopy();
        }
    }

    private void closeCopy() {
        if (copy != null) {
            try {
                copy.close();
            } catch (IOException e) {
                if (failure == null) {
                    failure = e;
                }
            }
            copy = null;
        }
    }

    /** Removes the file. */
    public void delete() {
        closeCopy();
        if (file == null) {
            return;
        }
        try {
            Files.deleteIfExists(file);
        } catch (IOException e) {
            // deleteOnExit tries again.
        }
    }
}
