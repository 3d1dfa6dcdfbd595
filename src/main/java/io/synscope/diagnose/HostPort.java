package io.synscope.diagnose;

/** An IP address (text form) and a TCP port. */
public record HostPort(String ip, int port) {
    @Override
    public String toString() {
        return ip.indexOf(':') >= 0 ? "[" + ip + "]:" + port : ip + ":" + port;
    }
}
