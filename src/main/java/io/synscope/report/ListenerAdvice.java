package io.synscope.report;

import io.synscope.diagnose.HostPort;
import io.synscope.diagnose.Summary;
import io.synscope.diagnose.Verdict;
import io.synscope.pipeline.KernelSummary;

import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;

/**
 * What a listener's kernel evidence asks to change, and the verdicts of its connections: the
 * same sentences in every report that shows the kernel's evidence.
 */
final class ListenerAdvice {
    private ListenerAdvice() {
    }

    /**
     * The fix for a listener whose SYN or accept queue reached its limit, naming the limit
     * that bound it; null when neither queue did.
     */
    static String kernelFix(KernelSummary k, KernelSummary.Listener l) {
        if (!l.acceptQueueFull() && l.synQueueFull()) {
            boolean cookies = Long.valueOf(1).equals(k.sysctls().get("net.ipv4.tcp_syncookies"));
            return "the SYN queue (" + l.limitedBy() + ", " + l.synQueueLimit()
                    + ") filled with half-open connections: a SYN flood or clients that"
                    + " never finish the handshake; " + (cookies ? "SYN cookies are on, so"
                    + " new clients still get in once it is full" : "turn on"
                    + " net.ipv4.tcp_syncookies=1") + ", and raise the limit if the clients"
                    + " are real";
        }
        if (l.acceptQueueFull()) {
            Long somaxconn = k.sysctls().get("net.core.somaxconn");
            return "net.core.somaxconn".equals(l.limitedBy())
                    ? "the limit is net.core.somaxconn (" + somaxconn + "), not the"
                    + " application's backlog: raise it (sysctl -w net.core.somaxconn=N)"
                    + " together with the listen() backlog, and accept faster"
                    : "the limit is the application's listen() backlog (" + l.backlog()
                    + (somaxconn != null ? "; somaxconn " + somaxconn : "")
                    + "): raise it (Java ServerSocket's"
                    + " backlog argument, nginx 'listen … backlog=N') and accept faster";
        }
        return null;
    }

    /** Whether {@code server} is one that {@code listener} (maybe a wildcard) serves. */
    static boolean serves(HostPort listener, HostPort server) {
        boolean wildcard = listener.ip().equals("0.0.0.0") || listener.ip().equals("::");
        return server.port() == listener.port() && (wildcard || server.ip().equals(listener.ip()));
    }

    /** "37 ack-ignored, 12 syn-dropped" for the server(s) a listener serves, or "". */
    static String verdictsAt(Summary s, HostPort listener) {
        Map<Verdict, Long> counts = new EnumMap<>(Verdict.class);
        for (Summary.ServerSummary srv : s.servers()) {
            if (serves(listener, srv.server())) {
                srv.byVerdict().forEach((v, n) -> counts.merge(v, n, Long::sum));
            }
        }
        List<String> parts = new ArrayList<>();
        counts.forEach((v, n) -> {
            if (v.isFailure()) {
                parts.add(Format.count(n) + " " + v.key());
            }
        });
        return String.join(", ", parts);
    }
}
