package io.synscope.capture;

/**
 * What the capture itself lost, as libpcap counts it ({@code pcap_stats}) or as a pcapng file's
 * Interface Statistics Block recorded it. Counts are since the capture started.
 *
 * @param received       packets the kernel handed to the capture (libpcap's {@code ps_recv}:
 *                       on Linux, those that passed the filter, dropped ones included)
 * @param kernelDrops    packets the kernel dropped because the capture's buffer was full
 *                       ({@code ps_drop}, pcapng {@code isb_osdrop}): the reader was too slow
 * @param interfaceDrops packets the interface or its driver dropped ({@code ps_ifdrop}, pcapng
 *                       {@code isb_ifdrop}); not every driver counts them
 */
public record CaptureStats(long received, long kernelDrops, long interfaceDrops) {
    /** This and {@code other} counted together (several interfaces, several files). */
    public CaptureStats plus(CaptureStats other) {
        return new CaptureStats(received + other.received, kernelDrops + other.kernelDrops,
                interfaceDrops + other.interfaceDrops);
    }
}
