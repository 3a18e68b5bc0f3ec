package io.xcomposer.testsupport;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A real {@code redis-server} process on a free loopback port, for tests. No Docker engine exists on the build
 * machines, so tests start the Debian binary themselves (installed by {@code scripts/test}); one process serves a
 * whole JVM (test classes share it through {@link #shared()}) and is stopped by a shutdown hook.
 */
public final class RedisServerProcess implements AutoCloseable {

    private static RedisServerProcess shared;

    private volatile Process process;
    private final int port;
    private final Path dir;
    private final boolean durable;

    private RedisServerProcess(Process process, int port, Path dir, boolean durable) {
        this.process = process;
        this.port = port;
        this.dir = dir;
        this.durable = durable;
    }

    /** The JVM-wide server, started on first use. */
    public static synchronized RedisServerProcess shared() {
        if (shared == null || !shared.process.isAlive()) {
            shared = start();
            RedisServerProcess started = shared;
            Runtime.getRuntime().addShutdownHook(new Thread(started::close));
        }
        return shared;
    }

    public static RedisServerProcess start() {
        return start(false);
    }

    /**
     * A server that keeps its data across {@link #kill()} and {@link #restart()}: append-only file, fsync on every
     * write (so whatever Redis acknowledged survives a crash), as production runs it.
     */
    public static RedisServerProcess startDurable() {
        return start(true);
    }

    /**
     * A server that is not running yet, on a free loopback port reserved for it: point a service at it, then bring
     * Redis up late with {@link #restart()}, as a service started before its Redis sees it.
     */
    public static RedisServerProcess notStarted() {
        try {
            return new RedisServerProcess(null, freePort(), Files.createTempDirectory("redis-test"), false);
        } catch (IOException e) {
            throw new IllegalStateException("Cannot create a directory for redis-server", e);
        }
    }

    private static RedisServerProcess start(boolean durable) {
        try {
            Path dir = Files.createTempDirectory("redis-test");
            int port = freePort();
            RedisServerProcess server = new RedisServerProcess(launch(port, dir, durable), port, dir, durable);
            server.awaitPing(Duration.ofSeconds(10));
            return server;
        } catch (IOException e) {
            throw new IllegalStateException("Cannot create a directory for redis-server", e);
        }
    }

    private static Process launch(int port, Path dir, boolean durable) {
        String binary = System.getProperty("redis.server.binary", "redis-server");
        List<String> command = durable
                ? List.of(
                        binary,
                        "--port",
                        String.valueOf(port),
                        "--bind",
                        "127.0.0.1",
                        "--save",
                        "",
                        "--appendonly",
                        "yes",
                        "--appendfsync",
                        "always",
                        "--dir",
                        dir.toString(),
                        "--logfile",
                        dir.resolve("redis.log").toString())
                : List.of(
                        binary,
                        "--port",
                        String.valueOf(port),
                        "--bind",
                        "127.0.0.1",
                        "--save",
                        "",
                        "--appendonly",
                        "no",
                        "--dir",
                        dir.toString(),
                        "--logfile",
                        dir.resolve("redis.log").toString());
        try {
            return new ProcessBuilder(command)
                    .redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.appendTo(
                            dir.resolve("stdout.log").toFile()))
                    .start();
        } catch (IOException e) {
            throw new IllegalStateException(
                    "Cannot start '" + binary + "'. Install it (apt-get install redis-server) "
                            + "or run the tests through scripts/test, which does.",
                    e);
        }
    }

    /**
     * Starts the server again on the same port and directory after {@link #kill()} (or for the first time, after
     * {@link #notStarted()}); a durable one reloads its append-only file. Returns once it answers PING.
     */
    public void restart() {
        if (process != null && process.isAlive()) {
            throw new IllegalStateException("redis-server on port " + port + " is still running");
        }
        process = launch(port, dir, durable);
        awaitPing(Duration.ofSeconds(10));
    }

    public int port() {
        return port;
    }

    public String host() {
        return "127.0.0.1";
    }

    /** Runs a command through the inline protocol and returns the raw reply line, e.g. "+PONG". */
    public String command(String... words) {
        try (Socket socket = new Socket(InetAddress.getLoopbackAddress(), port)) {
            socket.setSoTimeout(2000);
            OutputStream out = socket.getOutputStream();
            out.write((String.join(" ", words) + "\r\n").getBytes(StandardCharsets.UTF_8));
            out.flush();
            InputStream in = socket.getInputStream();
            StringBuilder line = new StringBuilder();
            int c;
            while ((c = in.read()) != -1 && c != '\n') {
                if (c != '\r') {
                    line.append((char) c);
                }
            }
            return line.toString();
        } catch (IOException e) {
            throw new IllegalStateException("Redis on port " + port + " did not answer", e);
        }
    }

    public void flushAll() {
        command("FLUSHALL");
    }

    /** Stops the server as a crash would (SIGKILL), for tests of recovery; returns once it is gone. */
    public void kill() {
        Process current = process;
        if (current == null) {
            return;
        }
        current.destroyForcibly();
        try {
            if (!current.waitFor(10, TimeUnit.SECONDS)) {
                throw new IllegalStateException("redis-server on port " + port + " did not die");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    private void awaitPing(Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            if (!process.isAlive()) {
                throw new IllegalStateException("redis-server exited with " + process.exitValue() + "; see " + dir);
            }
            try {
                if ("+PONG".equals(command("PING"))) {
                    return;
                }
            } catch (IllegalStateException notYet) {
                // the port is not open yet
            }
            try {
                Thread.sleep(50);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException(e);
            }
        }
        throw new IllegalStateException("redis-server did not answer PING within " + timeout);
    }

    public static int freePort() {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    @Override
    public void close() {
        if (process == null) {
            return;
        }
        process.destroy();
        try {
            if (!process.waitFor(5, TimeUnit.SECONDS)) {
                process.destroyForcibly();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
