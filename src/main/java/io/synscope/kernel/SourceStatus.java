package io.synscope.kernel;

/**
 * One kernel source and whether it could be read: {@code why} says what it reads when it is
 * available, and why not when it is not (already escaped for printing).
 *
 * @param name one of {@link #NETNS}, {@link #SOCK_DIAG}, {@link #SYSCTLS}, {@link #NETSTAT},
 *             {@link #SNMP}, {@link #SAMPLE_SINK}
 */
public record SourceStatus(String name, boolean available, String why) {
    /** Entering the namespace to read: when it fails, every other source is unavailable. */
    public static final String NETNS = "netns";
    /** Listen queues and SYN_RECV counts, NETLINK_SOCK_DIAG. */
    public static final String SOCK_DIAG = "sock_diag";
    /** The sysctls read at start. */
    public static final String SYSCTLS = "sysctls";
    /** TcpExt counters, /proc/net/netstat. */
    public static final String NETSTAT = "netstat";
    /** Tcp counters, /proc/net/snmp. */
    public static final String SNMP = "snmp";
    /** The {@link SampleSink}: listed only once it has thrown and is no longer called. */
    public static final String SAMPLE_SINK = "sample_sink";
}
