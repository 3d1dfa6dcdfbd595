package io.synscope.pipeline;

import io.synscope.capture.Netns;
import org.junit.jupiter.api.Assumptions;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A network namespace made for one test ({@code kdiag-ROLE-PID-N}, {@code lo} up) and a thread
 * inside it, on which sockets are made so that they belong to it; deleted by {@link #close}.
 * {@link #open} skips the test, saying why, where namespaces cannot be made (not root, no
 * {@code ip}, not Linux).
 */
final class TestNetns implements AutoCloseable {
    private static final AtomicInteger SERIAL = new AtomicInteger();
    final String name;
    private final ExecutorService inside;

    private TestNetns(String name) {
        this.name = name;
        this.inside = Executors.newSingleThreadExecutor(r -> {
            Thread t = new Thread(r, "in-" + name);
            t.setDaemon(true);
            return t;
        });
    }

    static TestNetns open(String role) {
        Assumptions.assumeTrue(System.getProperty("os.name").startsWith("Linux"),
                "network namespaces are Linux's");
        Assumptions.assumeTrue("root".equals(System.getProperty("user.name")),
                "making network namespaces needs root (this runs as "
                        + System.getProperty("user.name") + ")");
        String name = "kdiag-" + role + "-" + ProcessHandle.current().pid() + "-" + SERIAL.incrementAndGet();
        try {
            Result made = run("ip", "netns", "add", name);
            Assumptions.assumeTrue(made.exit == 0, "ip netns add failed: " + made.out);
        } catch (IOException e) {
            Assumptions.abort("cannot run ip (iproute2): " + e.getMessage());
        }
        TestNetns ns = new TestNetns(name);
        try {
            ns.ip("link", "set", "lo", "up");
            ns.call(() -> {
                Netns.enter(name);
                return null;
            });
        } catch (RuntimeException e) {
            ns.close();
            throw e;
        }
        return ns;
    }

    /** Runs {@code task} on this namespace's thread and waits for it. */
    <T> T call(Callable<T> task) {
        Future<T> f = inside.submit(task);
        try {
            return f.get(60, TimeUnit.SECONDS);
        } catch (ExecutionException e) {
            throw new IllegalStateException("in " + name + ": " + e.getCause(), e.getCause());
        } catch (Exception e) {
            throw new IllegalStateException("in " + name + ": " + e, e);
        }
    }

    /** {@code ip -n NAME args...}; fails the test unless it succeeds. */
    String ip(String... args) {
        List<String> cmd = new ArrayList<>(List.of("ip", "-n", name));
        cmd.addAll(List.of(args));
        return check(cmd);
    }

    /** {@code ip netns exec NAME args...}: the command's output; fails the test unless it succeeds. */
    String exec(String... args) {
        List<String> cmd = new ArrayList<>(List.of("ip", "netns", "exec", name));
        cmd.addAll(List.of(args));
        return check(cmd);
    }

    private static String check(List<String> cmd) {
        try {
            Result r = run(cmd.toArray(new String[0]));
            if (r.exit != 0) {
                throw new IllegalStateException(String.join(" ", cmd) + " exited " + r.exit + ": " + r.out);
            }
            return r.out;
        } catch (IOException e) {
            throw new IllegalStateException(String.join(" ", cmd) + ": " + e, e);
        }
    }

    private record Result(int exit, String out) {
    }

    private static Result run(String... cmd) throws IOException {
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        try {
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            return new Result(p.waitFor(), out);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            p.destroyForcibly();
            throw new IOException("interrupted: " + String.join(" ", cmd), e);
        }
    }

    @Override
    public void close() {
        inside.shutdownNow();
        try {
            run("ip", "netns", "del", name);
        } catch (IOException e) {
            // Nothing more to do: the name says whose it was.
        }
    }
}
