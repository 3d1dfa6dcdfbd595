package io.synscope.flow;

import org.junit.jupiter.api.Test;

import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The length codes of a frozen record: words of every length, 0 to 8 bytes, in any order and
 * any number (a block of thousands, whose codes take more than a byte can count), come back as
 * written, and mostly-small words take fewer bytes than a 3-bit code each would.
 */
class StateTransferTest {
    @Test
    void wordsOfEveryLengthComeBackInAnyOrder() {
        for (int n : new int[] {0, 1, 7, 100, 3_000}) {
            SplittableRandom random = new SplittableRandom(n);
            long[] words = new long[n];
            for (int i = 0; i < n; i++) {
                int bytes = random.nextInt(9);
                long w = bytes == 0 ? 0 : random.nextLong() >>> (64 - 8 * bytes);
                // The top byte of a word of that many bytes is never 0.
                words[i] = bytes == 0 ? 0 : w | 1L << (8 * bytes - 1);
            }
            StateTransfer out = new StateTransfer();
            out.startWriting();
            out.writeBlock(words, 0, n);
            int length = out.finishWriting();
            byte[] record = java.util.Arrays.copyOf(out.output(), length + Long.BYTES);

            StateTransfer in = new StateTransfer();
            in.startReading(record, 0);
            long[] back = java.util.Arrays.copyOf(in.readBlock(n), n);
            assertArrayEquals(words, back, n + " words");
        }
    }

    @Test
    void smallWordsTakeShortCodes() {
        long[] words = new long[104];
        for (int i = 0; i < words.length; i++) {
            // The state-heavy capture's mix: about a third 0, the rest mostly one byte.
            words[i] = i % 3 == 0 ? 0 : i % 7 == 0 ? 0x1234 : 0x42;
        }
        StateTransfer out = new StateTransfer();
        out.startWriting();
        out.writeBlock(words, 0, words.length);
        int length = out.finishWriting();
        int values = 0;
        for (long w : words) {
            values += w == 0 ? 0 : w < 0x100 ? 1 : 2;
        }
        int threeBitCodes = (3 * words.length + 7) / 8;
        // The record's word count and its codes' length, then the block's codes' length.
        int codes = length - values - 1 - 2 - 2;
        assertTrue(codes < threeBitCodes * 3 / 4, codes + " bytes of codes, 3 bits each: " + threeBitCodes);
    }
}
