package io.synscope.capture;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

/**
 * Address literals: the bytes of every literal form, and null, never a name lookup, for what is
 * not one. The truth is the literal's own text (its octets and groups, written out here).
 */
class AddressesTest {
    @Test
    void literalsGiveTheirBytes() {
        assertArrayEquals(new byte[] {10, 0, 0, 1}, Addresses.literal("10.0.0.1"));
        assertArrayEquals(new byte[] {(byte) 255, (byte) 255, (byte) 255, (byte) 255},
                Addresses.literal("255.255.255.255"));
        assertArrayEquals(new byte[] {0, 0, 0, 0}, Addresses.literal("0.0.0.0"));
        byte[] v6 = new byte[16];
        v6[0] = 0x20;
        v6[1] = 0x01;
        v6[2] = 0x0d;
        v6[3] = (byte) 0xb8;
        v6[15] = 1;
        assertArrayEquals(v6, Addresses.literal("2001:db8::1"));
        byte[] loopback = new byte[16];
        loopback[15] = 1;
        assertArrayEquals(loopback, Addresses.literal("::1"));
    }

    /**
     * What InetAddress.getByName would take for a host name and resolve (a dotted quad with an
     * octet over 255, a name) is not a literal, and so is nothing at all.
     */
    @Test
    void anythingElseIsNull() {
        for (String text : new String[] {null, "", "999.1.1.1", "10.0.0.256", "10.0.0",
                "localhost", "example.com", "10.0.0.1 ", "2001:db8::g", "::1%eth0", ":::"}) {
            assertNull(Addresses.literal(text), String.valueOf(text));
        }
    }
}
