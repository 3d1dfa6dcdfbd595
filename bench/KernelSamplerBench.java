import io.synscope.capture.Netns;
import io.synscope.kernel.KernelConfig;
import io.synscope.kernel.KernelReport;
import io.synscope.kernel.KernelSampler;
import io.synscope.kernel.SampleSink;
import io.synscope.lab.SpoofedSyns;
import jnr.ffi.LibraryLoader;
import jnr.ffi.annotations.In;

import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * The kernel sampler's cost, for bench/kernel-sampler.sh: inside network namespace NETNS (made
 * by the script, with 10.98.0.2/16 on a veth and neighbour entries for the spoofed sources),
 * opens LISTENERS listening sockets and HALF_OPEN request sockets on the first one (raw SYNs
 * nobody completes), then samples for SECONDS at INTERVAL ms (SYN_RECV every SYN_INTERVAL ms),
 * or only waits with "off".
 * Prints one line: samples, sampler-thread CPU, SYN_RECV seen.
 *
 * usage: java -cp synscope.jar bench/KernelSamplerBench.java NETNS SECONDS INTERVAL SYN_INTERVAL LISTENERS HALF_OPEN on|off
 */
public class KernelSamplerBench {
    public interface LibC {
        int socket(int domain, int type, int protocol);

        long sendto(int fd, @In byte[] buf, long len, int flags, @In byte[] addr, int addrLen);

        int close(int fd);
    }

    public static void main(String[] args) throws Exception {
        String netns = args[0];
        int seconds = Integer.parseInt(args[1]);
        int interval = Integer.parseInt(args[2]);
        int synInterval = Integer.parseInt(args[3]);
        int listeners = Integer.parseInt(args[4]);
        int halfOpen = Integer.parseInt(args[5]);
        boolean on = args[6].equals("on");
        ExecutorService inside = Executors.newSingleThreadExecutor();
        List<ServerSocket> servers = inside.submit(() -> {
            Netns.enter(netns);
            List<ServerSocket> list = new ArrayList<>();
            for (int i = 0; i < listeners; i++) {
                list.add(new ServerSocket(20000 + i, 4096, InetAddress.getByName("10.98.0.2")));
            }
            sendSyns(halfOpen);
            return list;
        }).get();
        Told told = new Told();
        KernelSampler sampler = on
                ? KernelSampler.start(KernelConfig.defaults().withNetns(netns).withIntervals(interval, synInterval),
                        status -> { }, told)
                : null;
        // The first 10 s pay for loading and compiling; after them, the steady cost per sample.
        long warmMillis = Math.min(10_000L, seconds * 500L);
        Thread.sleep(warmMillis);
        KernelReport warm = sampler == null ? null : sampler.snapshot();
        Thread.sleep(seconds * 1000L - warmMillis);
        if (sampler != null) {
            sampler.close();
            KernelReport r = sampler.snapshot();
            System.out.printf("samples %d late %d sampler-cpu-ms %.1f per-sample-us %.1f steady-per-sample-us %.1f"
                            + " listeners %d syn_recv %d%n",
                    r.samples(), r.lateSamples(), r.samplerCpuNanos() / 1e6,
                    r.samplerCpuNanos() / 1e3 / r.samples(),
                    (r.samplerCpuNanos() - warm.samplerCpuNanos()) / 1e3 / (r.samples() - warm.samples()),
                    told.listeners, told.synRecvPeak);
        } else {
            System.out.println("off");
        }
        for (ServerSocket s : servers) {
            s.close();
        }
        inside.shutdownNow();
    }

    /** What the samples told: listeners at the last one, the most SYN_RECV on port 20000. */
    static final class Told implements SampleSink {
        int counting;
        int listeners;
        int synRecvPeak;

        @Override
        public void sample(long tsNanos) {
            counting = 0;
        }

        @Override
        public void listener(byte[] address, int port, int acceptQueue, int backlog, int synRecv) {
            counting++;
            if (port == 20000) {
                synRecvPeak = Math.max(synRecvPeak, synRecv);
            }
        }

        @Override
        public void sampled(long tsNanos) {
            listeners = counting;
        }
    }

    /** SYNs from 10.98.(1 + n / 250).(n % 250 + 1) to 10.98.0.2:20000. */
    private static void sendSyns(int count) throws Exception {
        if (count == 0) {
            return;
        }
        LibC libc = LibraryLoader.create(LibC.class).load("c");
        int fd = libc.socket(2, 3, 255); // AF_INET, SOCK_RAW, IPPROTO_RAW
        if (fd < 0) {
            throw new IllegalStateException("raw socket");
        }
        Inet4Address server = (Inet4Address) InetAddress.getByName("10.98.0.2");
        ByteBuffer to = ByteBuffer.allocate(16);
        to.order(ByteOrder.nativeOrder()).putShort((short) 2);
        to.order(ByteOrder.BIG_ENDIAN).putShort((short) 0).put(server.getAddress());
        for (int n = 0; n < count; n++) {
            Inet4Address from = (Inet4Address) InetAddress.getByName("10.98." + (1 + n / 250) + "." + (n % 250 + 1));
            byte[] syn = SpoofedSyns.syn(from, server, 30000 + n % 30000, 20000, 1000L * (n + 1), n);
            libc.sendto(fd, syn, syn.length, 0, to.array(), 16);
        }
        libc.close(fd);
    }
}
