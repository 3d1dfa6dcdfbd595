package io.synscope.pipeline;

import com.code_intelligence.jazzer.junit.FuzzTest;

import java.io.IOException;
import java.nio.charset.StandardCharsets;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * Any text, read as the kernel evidence a capture file carries ({@link KernelDocument}): it is
 * input like any capture, edited or damaged on its way from a customer. The only failure is an
 * {@link IOException} with a message; a document that reads gives a log whose summary builds,
 * and which writes back to a document that reads back the same. The committed inputs
 * (KernelDocumentFuzzTestInputs) run with every test run; docs/fuzzing.md says how to fuzz.
 */
class KernelDocumentFuzzTest {

    @FuzzTest
    void readAnyDocument(byte[] document) {
        KernelLog log;
        try {
            log = KernelDocument.read(new String(document, StandardCharsets.UTF_8));
        } catch (IOException refused) {
            return;
        }
        log.summary();
        String written = KernelDocument.write(log);
        try {
            assertEquals(written, KernelDocument.write(KernelDocument.read(written)),
                    "what it wrote reads back the same");
        } catch (IOException e) {
            throw new AssertionError("its own document refused: " + e.getMessage(), e);
        }
    }
}
