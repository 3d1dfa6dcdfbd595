package io.synscope.report;

import io.synscope.capture.Printable;
import io.synscope.pipeline.KernelSummary;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The sentences of "What the kernel saw", the same in the text and the HTML report: each
 * renderer only lays them out (styles, line breaks, tags). What a listener's evidence asks to
 * change and the verdicts of its connections are {@link ListenerAdvice}'s.
 */
final class KernelWording {
    private KernelWording() {
    }

    /** The sources that worked, or "no source worked". */
    static String sources(KernelSummary k) {
        // Source names are synscope's own, but a recorded file may say anything: escaped.
        return k.sources().isEmpty() ? "no source worked"
                : Printable.escape(String.join(", ", k.sources()));
    }

    /**
     * A listener's queues: when its accept queue was at its limit (the first time, how many
     * more, how long in all) or how deep it got, then its SYN queue when it held any.
     */
    static String queues(KernelSummary.Listener l, Times times) {
        StringBuilder line = new StringBuilder();
        if (l.acceptQueueFull()) {
            KernelSummary.Interval first = l.fullIntervals().get(0);
            line.append("accept queue at its limit of ").append(l.backlog())
                    .append(" from ").append(times.at(first.fromNanos())).append(" to ")
                    .append(times.at(first.toNanos()));
            int more = l.fullIntervals().size() - 1;
            if (more > 0) {
                line.append(" and ").append(more).append(" more time").append(more == 1 ? "" : "s");
            }
            line.append(" (").append(Format.duration(l.fullNanos())).append(" in all)");
        } else {
            line.append("accept queue up to ").append(l.peakDepth()).append(" of ")
                    .append(l.backlog()).append(", never full");
        }
        if (l.synQueueFull()) {
            line.append("; SYN queue at its limit of ").append(l.synQueueLimit())
                    .append(" (up to ").append(l.synRecvPeak()).append(" half-open)");
        } else if (l.synRecvPeak() > 0) {
            line.append("; up to ").append(l.synRecvPeak()).append(" half-open (SYN_RECV)");
        }
        return line.toString();
    }

    /** "3 other listener(s) never had a connection waiting", or "" when none was quiet. */
    static String quiet(KernelSummary k) {
        return k.quietListeners() > 0 ? Format.count(k.quietListeners())
                + " other listener(s) never had a connection waiting" : "";
    }

    /** "ListenOverflows +15, ListenDrops +15" for the failure counters that rose, or "". */
    static String countersThatRose(KernelSummary k) {
        List<String> rose = new ArrayList<>();
        for (String name : KernelSummary.FAILURE_COUNTERS) {
            Long rise = k.counters().get(name);
            if (rise != null && rise > 0) {
                rose.add(name + " +" + Format.count(rise));
            }
        }
        return String.join(", ", rose);
    }

    /** Each source that was missing, with why: "what (why)", escaped (the kernel's text). */
    static List<String> missing(KernelSummary k) {
        List<String> missing = new ArrayList<>();
        for (Map.Entry<String, String> e : k.missing().entrySet()) {
            missing.add(Printable.escape(e.getKey()) + " (" + Printable.escape(e.getValue()) + ")");
        }
        return missing;
    }

    /** "12 kernel records beyond synscope's bounds" (not kept), or "" when all were kept. */
    static String notKept(KernelSummary k) {
        return k.dropped() > 0 ? Format.count(k.dropped())
                + " kernel records beyond synscope's bounds" : "";
    }
}
