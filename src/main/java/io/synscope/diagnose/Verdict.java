package io.synscope.diagnose;

import java.util.Locale;

/**
 * What happened to a connection. The {@link #key()} strings are a public contract (JSON output,
 * docs, scripts): never rename them.
 */
public enum Verdict {
    OK("handshake completed; closed in order or still open at the capture's end"),
    REFUSED("the SYN was answered by a RST (no listener, or a REJECT rule)"),
    SYN_DROPPED("the client's SYN was sent again with no SYN-ACK in between"),
    SYNACK_UNANSWERED("the server's SYN-ACK was never acknowledged"),
    ACK_IGNORED("the client completed the handshake but the server acted as if it had not"),
    OVERFLOW_RESET("the server reset the connection right after the handshake's ACK"),
    RST_UNREAD_DATA("a side closed with received data unread, or was sent data after closing"),
    RST_LINGER0("abortive close (SO_LINGER 0): RST instead of FIN with nothing left unread"),
    HALF_OPEN_RESET("RST from a side that no longer knew the connection"),
    RESET("a reset that matches no more specific pattern"),
    STALLED("data retransmitted without acknowledgement until the connection was abandoned"),
    INCOMPLETE("the capture does not hold enough of the connection to judge");

    private final String meaning;
    private final String key;

    Verdict(String meaning) {
        this.meaning = meaning;
        this.key = name().toLowerCase(Locale.ROOT).replace('_', '-');
    }

    /** The public name, e.g. {@code syn-dropped}. */
    public String key() {
        return key;
    }

    public String meaning() {
        return meaning;
    }

    /** True for verdicts that name a failure (everything but ok and incomplete). */
    public boolean isFailure() {
        return this != OK && this != INCOMPLETE;
    }

    public static Verdict fromKey(String key) {
        for (Verdict v : values()) {
            if (v.key.equals(key)) {
                return v;
            }
        }
        throw new IllegalArgumentException("unknown verdict: " + key);
    }
}
