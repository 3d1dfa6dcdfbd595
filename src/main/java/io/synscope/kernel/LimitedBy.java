package io.synscope.kernel;

/** Which limit sets a listen queue's length. */
public enum LimitedBy {
    /** The application's {@code listen()} backlog. */
    BACKLOG("backlog"),
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

    /** The name in JSON and text: the sysctl's full name, or {@code backlog}. */
    public String jsonName() {
        return jsonName;
    }
}
