package io.synscope.capture;

import org.pcap4j.core.PcapAddress;
import org.pcap4j.core.PcapNativeException;
import org.pcap4j.core.PcapNetworkInterface;
import org.pcap4j.core.Pcaps;

import java.util.ArrayList;
import java.util.List;

/** The interfaces libpcap can capture on, as {@code synscope live --list-interfaces} shows them. */
public final class Interfaces {
    /**
     * libpcap's pseudo-devices that carry no IP traffic of the host's own (netfilter logs and
     * queues, D-Bus, Bluetooth, USB monitors): left out of lists and of the default choice.
     */
    private static final List<String> PSEUDO_PREFIXES =
            List.of("nflog", "nfqueue", "dbus", "bluetooth", "usbmon");

    /** One capturable interface; {@code addresses} as text, IPv4 before IPv6 as libpcap lists them. */
    public record Interface(String name, List<String> addresses, boolean up, boolean running,
                            boolean loopback) {
    }

    private Interfaces() {
    }

    /**
     * The interfaces of the current network namespace (the calling thread's), the {@code any}
     * pseudo-device included, others left out.
     */
    public static List<Interface> list() throws CaptureException {
        requireLibpcap("interfaces");
        List<PcapNetworkInterface> devices;
        try {
            devices = Pcaps.findAllDevs();
        } catch (PcapNativeException e) {
            throw new CaptureException(CaptureException.Kind.IO, "interfaces", -1,
                    "libpcap cannot list the interfaces: " + e.getMessage(), e);
        }
        List<Interface> out = new ArrayList<>();
        for (PcapNetworkInterface d : devices) {
            if (isPseudo(d.getName())) {
                continue;
            }
            List<String> addresses = new ArrayList<>();
            for (PcapAddress a : d.getAddresses()) {
                if (a.getAddress() != null) {
                    addresses.add(a.getAddress().getHostAddress());
                }
            }
            out.add(new Interface(d.getName(), addresses, d.isUp(), d.isRunning(),
                    d.isLoopBack()));
        }
        return out;
    }

    /**
     * The interface {@code synscope live} captures on when none is named: the first that is up
     * and running, not loopback and not {@code any}.
     *
     * @throws CaptureException NO_SUCH_INTERFACE when there is none
     */
    public static String defaultDevice() throws CaptureException {
        for (Interface i : list()) {
            if (i.up() && i.running() && !i.loopback() && !i.name().equals("any")) {
                return i.name();
            }
        }
        throw new CaptureException(CaptureException.Kind.NO_SUCH_INTERFACE, "interfaces", -1,
                "no interface is up and running besides loopback; name one with -i (" +
                        namesForMessage() + ")");
    }

    /** "interfaces here: eth0, lo, any", for error messages; never throws. */
    static String namesForMessage() {
        try {
            List<String> names = new ArrayList<>();
            for (Interface i : list()) {
                names.add(i.name());
            }
            return "interfaces here: " + String.join(", ", names);
        } catch (CaptureException e) {
            return "the interfaces cannot be listed: " + e.getMessage();
        }
    }

    private static boolean isPseudo(String name) {
        for (String p : PSEUDO_PREFIXES) {
            if (name.startsWith(p)) {
                return true;
            }
        }
        return false;
    }

    /**
     * Fails with {@link CaptureException.Kind#NO_LIBPCAP} unless libpcap can be called: pcap4j
     * loads it when its classes initialise, and reports a missing library as a
     * {@link LinkageError}, which must become a message, not a stack trace.
     */
    static void requireLibpcap(String source) throws CaptureException {
        try {
            Pcaps.libVersion();
            LibPcap.pcap();
            LibPcap.libc();
        } catch (LinkageError | RuntimeException e) {
            throw new CaptureException(CaptureException.Kind.NO_LIBPCAP, source, -1,
                    "libpcap cannot be loaded (" + String.valueOf(e.getMessage()).lines()
                            .findFirst().orElse("") + "): install it"
                            + " (Debian/Ubuntu: apt-get install libpcap0.8; Fedora/RHEL: dnf"
                            + " install libpcap)", e);
        }
    }

    /** E.g. {@code 1.10.3}; "?" when it cannot be told. */
    static String libpcapVersion() {
        try {
            String v = Pcaps.libVersion();
            // "libpcap version 1.10.3 (with TPACKET_V3)"
            String[] words = v.split(" ");
            return words.length >= 3 ? words[2] : v;
        } catch (LinkageError | RuntimeException e) {
            return "?";
        }
    }
}
