package io.xcomposer.gateway.support;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A loopback HTTP/1.1 server on a plain socket playing composition replicas that die: for each request to a path it
 * asks the test's {@link Script} what the n-th connection to that path gets — an SSE answer in chunks (each chunk
 * written and flushed on its own, so a chunk can end inside an event) that then ends cleanly or with the socket
 * closed without the last chunk (a killed process), or an error status. It records each request's
 * {@code Last-Event-ID} per path. One request per connection, each served by a short-lived thread.
 */
public final class ScriptedEventStream implements AutoCloseable {

    /** What one connection gets. */
    public record Answer(int status, List<String> chunks, boolean endCleanly) {

        /** An SSE answer of {@code chunks}; {@code endCleanly} false closes the socket instead of ending the body. */
        public static Answer events(boolean endCleanly, String... chunks) {
            return new Answer(200, List.of(chunks), endCleanly);
        }

        /** Load shedding, as a replica whose Redis is away answers. */
        public static Answer unavailable() {
            return new Answer(
                    503,
                    List.of("{\"error\":{\"message\":\"Redis is unavailable.\",\"type\":"
                            + "\"server_error\",\"param\":null,\"code\":\"redis_unavailable\"}}"),
                    true);
        }
    }

    @FunctionalInterface
    public interface Script {
        /** @param connection 0 for the first request to {@code path}, then 1, 2, … */
        Answer answer(String path, int connection, String lastEventId);
    }

    private final Script script;
    private final ServerSocket server;
    private final Map<String, List<String>> lastEventIds = new ConcurrentHashMap<>();

    public ScriptedEventStream(Script script) {
        this.script = script;
        try {
            server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        Thread acceptor = new Thread(this::accept, "scripted-event-stream");
        acceptor.setDaemon(true);
        acceptor.start();
    }

    public String url() {
        return "http://127.0.0.1:" + server.getLocalPort();
    }

    /** The {@code Last-Event-ID} of each request to {@code path} in order, "" where it had none. */
    public List<String> lastEventIds(String path) {
        return List.copyOf(lastEventIds.getOrDefault(path, List.of()));
    }

    private void accept() {
        while (!server.isClosed()) {
            try {
                Socket socket = server.accept();
                Thread worker = new Thread(() -> serve(socket), "scripted-event-stream-conn");
                worker.setDaemon(true);
                worker.start();
            } catch (IOException closed) {
                return;
            }
        }
    }

    private void serve(Socket socket) {
        try (socket) {
            socket.setSoTimeout(10_000);
            InputStream in = socket.getInputStream();
            String head = ClosingDownstream.readHead(in);
            ClosingDownstream.readBody(in, head);
            String path = head.substring(head.indexOf(' ') + 1, head.indexOf(' ', head.indexOf(' ') + 1));
            String lastEventId = "";
            for (String line : head.split("\r\n")) {
                if (line.toLowerCase(Locale.ROOT).startsWith("last-event-id:")) {
                    lastEventId = line.substring(14).trim();
                }
            }
            List<String> seen = lastEventIds.computeIfAbsent(path, p -> new CopyOnWriteArrayList<>());
            int connection;
            synchronized (seen) {
                connection = seen.size();
                seen.add(lastEventId);
            }
            Answer answer = script.answer(path, connection, lastEventId);
            OutputStream out = socket.getOutputStream();
            if (answer.status() != 200) {
                byte[] body = String.join("", answer.chunks()).getBytes(StandardCharsets.UTF_8);
                out.write(("HTTP/1.1 " + answer.status() + " Error\r\nContent-Type: application/json\r\nRetry-After: 1"
                                + "\r\nContent-Length: " + body.length + "\r\nConnection: close\r\n\r\n")
                        .getBytes(StandardCharsets.US_ASCII));
                out.write(body);
                out.flush();
                return;
            }
            out.write("HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\nTransfer-Encoding: chunked\r\n\r\n"
                    .getBytes(StandardCharsets.US_ASCII));
            for (String chunk : answer.chunks()) {
                byte[] bytes = chunk.getBytes(StandardCharsets.UTF_8);
                out.write((Integer.toHexString(bytes.length) + "\r\n").getBytes(StandardCharsets.US_ASCII));
                out.write(bytes);
                out.write("\r\n".getBytes(StandardCharsets.US_ASCII));
                out.flush();
                Thread.sleep(30);
            }
            if (answer.endCleanly()) {
                out.write("0\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
                out.flush();
            }
            // try-with-resources closes the socket: without the last chunk, the connection ends mid-stream
        } catch (IOException | InterruptedException | RuntimeException e) {
            // the gateway went away first: nothing to serve
        }
    }

    @Override
    public void close() {
        try {
            server.close();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
