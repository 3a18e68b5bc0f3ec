package io.xcomposer.common.fetch;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpHandler;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;

/** A loopback HTTP server that counts every request it sees, so tests can prove a URL was never connected to. */
final class RecordingHttpServer implements AutoCloseable {

    private final HttpServer server;

    private final AtomicInteger hits = new AtomicInteger();

    private RecordingHttpServer(HttpServer server) {
        this.server = server;
    }

    static RecordingHttpServer start(HttpHandler handler) throws IOException {
        HttpServer server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.setExecutor(Executors.newCachedThreadPool());
        RecordingHttpServer recording = new RecordingHttpServer(server);
        server.createContext("/", exchange -> {
            recording.hits.incrementAndGet();
            handler.handle(exchange);
        });
        server.start();
        return recording;
    }

    static HttpHandler respond(int status, byte[] body) {
        return exchange -> send(exchange, status, body);
    }

    static void send(HttpExchange exchange, int status, byte[] body) throws IOException {
        exchange.sendResponseHeaders(status, body.length == 0 ? -1 : body.length);
        try (OutputStream out = exchange.getResponseBody()) {
            out.write(body);
        }
    }

    int port() {
        return this.server.getAddress().getPort();
    }

    String origin() {
        return "http://127.0.0.1:" + port();
    }

    int hits() {
        return this.hits.get();
    }

    @Override
    public void close() {
        this.server.stop(0);
    }
}
