package io.synscope.kernel;

/** Which limit sets a listen queue's length. */
public enum LimitedBy {
    /** The application's {@code listen()} backlog. */
    BACKLOG("listen() backlog"),
    /** {@code net.core.somaxconn}, which caps every listen() backlog. */
    SOMAXCONN("net.core.somaxconn"),
    /**
     * {@code net.ipv4.tcp_max_syn_backlog}: with {@code tcp_syncookies=0}, SYNs from peers not
     * known to the kernel are dropped once the SYN queue holds more than three quarters of it.
     */
    TCP_MAX_SYN_BACKLOG("net.ipv4.tcp_max_syn_backlog");

    private final String jsonName;

    LimitedBy(String jsonName) {
        this.jsonName = jsonName;
    }

    /**
     * Which limit set the accept queue's {@code backlog} ({@code sk_max_ack_backlog}):
     * listen() stores min(its backlog, net.core.somaxconn), so a backlog equal to somaxconn was
     * capped by it (or asked for exactly that: somaxconn is the knob to turn either way), and
     * a lower one is the application's own. A higher one was set before somaxconn was lowered
     * (the listener keeps the limit of its listen()): not the present somaxconn's doing, so it
     * is named the backlog too.
     *
     * @param somaxconn the sysctl's value, -1 when unknown
     */
    public static LimitedBy acceptQueueLimit(int backlog, long somaxconn) {
        return backlog == somaxconn ? SOMAXCONN : BACKLOG;
    }

    /**
     * The SYN queue's limit, as tcp_conn_request applies it: the listener's backlog, or, with
     * {@code tcp_syncookies=0}, three quarters of {@code tcp_max_syn_backlog} when that is lower
     * (a SYN is dropped once fewer than a quarter is left). Below {@code backlog} exactly when
     * {@link #TCP_MAX_SYN_BACKLOG} is the limit.
     *
     * @param syncookies    the sysctl's value, -1 when unknown
     * @param maxSynBacklog the sysctl's value, -1 when unknown
     */
    public static int synQueueLimit(int backlog, long syncookies, long maxSynBacklog) {
        if (syncookies != 0 || maxSynBacklog < 0) {
            return backlog;
        }
        return (int) Math.min(backlog, maxSynBacklog - (maxSynBacklog >> 2));
    }

    /** The name in JSON and text: the sysctl's full name, or {@code listen() backlog}. */
    public String jsonName() {
        return jsonName;
    }
}
