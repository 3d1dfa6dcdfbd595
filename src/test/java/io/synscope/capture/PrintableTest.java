package io.synscope.capture;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;

class PrintableTest {
    @Test
    void plainTextAndNonAsciiLettersAreKept() {
        String s = "/var/tmp/capture-é-日本.pcap";
        assertSame(s, Printable.escape(s));
    }

    @Test
    void terminalControlsBecomeVisible() {
        assertEquals("a\\x1b[31mred\\x1b]0;title\\x07.pcap",
                Printable.escape("a\u001b[31mred\u001b]0;title\u0007.pcap"));
        assertEquals("line\\x0anext\\x0d\\x7f\\x9b", Printable.escape("line\nnext\r\u007f\u009b"));
    }

    @Test
    void directionOverridesAndSeparatorsBecomeVisible() {
        assertEquals("invoice\\u202egnp.pcap", Printable.escape("invoice\u202egnp.pcap"));
        assertEquals("a\\u2028b\\u2066c", Printable.escape("a\u2028b\u2066c"));
    }

    @Test
    void aBackslashIsDoubledSoThatNoEscapeCanBeForged() {
        assertEquals("C:\\\\x1b.pcap", Printable.escape("C:\\x1b.pcap"));
    }
}
