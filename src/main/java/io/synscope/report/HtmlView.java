package io.synscope.report;

import java.util.List;

/**
 * What the HTML report's templates (src/main/jte) show, worked out by {@link HtmlReport}: every
 * text already formatted and, when it came from the capture, the command line or the kernel,
 * made printable ({@link io.synscope.capture.Printable}); the templates' HTML escaping does the
 * rest. Geometry (chart bars, ladder arrows) is in SVG user units. No logic is left to the
 * templates but loops and conditions.
 */
final class HtmlView {
    private HtmlView() {
    }

    /** The whole page. */
    record Page(String version, String zone, String title, String source, List<Fact> facts,
                List<Count> outcomes, List<String> files, List<String> warnings,
                List<Finding> findings, Kernel kernel, Chart chart,
                List<Panel> panels, String panelsMore, String ladderHeading,
                List<Ladder> ladders, String laddersMore, Table table) {
    }

    /** One line of the summary: a name and its value. */
    record Fact(String name, String value) {
    }

    /** A count with a CSS class for its colour: failed/recovered/ok, or a verdict's key. */
    record Count(String label, String css, String value) {
    }

    /** "What the failures point at": one listener's finding and its fix. */
    record Finding(String server, String finding, String fix) {
    }

    /** "What the kernel saw". */
    record Kernel(String sources, List<KernelListener> listeners, String quiet, String counters,
                  List<String> missing, String notKept) {
    }

    /**
     * A listener's queues as the kernel showed them (accept queue, then SYN queue), the
     * verdicts of its connections, and what to change ("" when its queues had room).
     */
    record KernelListener(String listener, String queues, String verdicts, String fix) {
    }

    /**
     * Failures per bucket of time, stacked by verdict, over the capture's span; below, a lane
     * per listener with the kernel's evidence: its accept queue's depth, and when it was full.
     */
    record Chart(String heading, int width, int height, int plotLeft, int plotRight,
                 int plotTop, int plotBottom, List<Bar> bars, List<Tick> yTicks,
                 List<Tick> xTicks, List<Count> legend, List<Lane> lanes) {
    }

    record Bar(double x, double width, String title, List<Segment> segments) {
    }

    record Segment(double y, double height, String css) {
    }

    /** An axis label at {@code at} (x for the time axis, y for the count axis). */
    record Tick(double at, String label) {
    }

    /**
     * One listener's accept queue under the chart: its depth as a step line ({@code depth}, SVG
     * polyline points, the lane's top being the queue's limit) and the times it was full.
     */
    record Lane(String label, double y, double height, String depth, List<Span> full) {
    }

    /** A stretch along an axis: a full queue in time, a verdict's share of a bar. */
    record Span(double x, double width, String css, String title) {
    }

    /** A listener (server address and port): its connections, verdicts, finding, kernel. */
    record Panel(String server, String connections, String failures, String rate,
                 List<Count> verdicts, List<Span> bar, Finding finding,
                 KernelListener kernel) {
    }

    /** One failed connection: its ladder diagram and what it means. */
    record Ladder(String anchor, String id, String start, String client, String server,
                  String verdict, String outcome, String outcomeCss, String detail, int width,
                  int clientX, int serverX, int height,
                  List<Arrow> arrows, List<Mark> marks, String hidden, List<Note> notes,
                  String cause, String fix, String filter) {
    }

    /**
     * One packet between the client's column and the server's: from {@code x1,y1} to
     * {@code x2,y2}, its flags and numbers above, its time and frame on the left.
     */
    record Arrow(double x1, double y1, double x2, double y2, String head, double labelX,
                 double labelY, String label, double timeY, String time, String frame,
                 String css, String title) {
    }

    /** Something the kernel recorded, at its time on the server's column; its text ends at textX. */
    record Mark(double x, double y, double textX, String text) {
    }

    /** A line under the ladder: evidence, a later failure, the kernel, an alternative, a note. */
    record Note(String kind, String text) {
    }

    /** The table of connections, at most {@link HtmlReport#MAX_TABLE_ROWS}. */
    record Table(String heading, List<Row> rows, String more, List<String> verdicts) {
    }

    record Row(String id, String start, String startKey, String client, String server,
               String verdict, String outcome, String confidence, String rule, String resetBy,
               long packets, long bytes, String duration, String durationKey,
               String history, String ladderAnchor) {
        /** The row with its start as the page shows times, and its ladder's anchor or "". */
        Row finish(String shownStart, String anchor) {
            return new Row(id, shownStart, startKey, client, server, verdict, outcome,
                    confidence, rule, resetBy, packets, bytes, duration, durationKey, history,
                    anchor);
        }
    }
}
