package io.xcomposer.composition.support;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A loopback HTTP proxy in front of the real retrieval-service that forwards every request unchanged, except that
 * a test can make one {@code POST /v1/gallery/search} answer 500 instead ("retrieval down for one slot").
 */
public final class FailingSearchProxy {

    private static final String SEARCH = "/v1/gallery/search";

    private final String target;

    private final HttpServer server;

    private final HttpClient client =
            HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

    private final AtomicInteger searches = new AtomicInteger();

    private final Set<Integer> failing = ConcurrentHashMap.newKeySet();

    public FailingSearchProxy(String target) {
        this.target = target;
        try {
            this.server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 16);
        } catch (IOException ex) {
            throw new IllegalStateException(ex);
        }
        this.server.setExecutor(Executors.newFixedThreadPool(4));
        this.server.createContext("/", this::forward);
        this.server.start();
    }

    public String baseUrl() {
        return "http://127.0.0.1:" + this.server.getAddress().getPort();
    }

    /** Makes the {@code n}-th search from now (1 = the next) answer 500. */
    public void failSearch(int n) {
        this.failing.add(this.searches.get() + n);
    }

    private void forward(HttpExchange exchange) throws IOException {
        try (exchange) {
            byte[] body = exchange.getRequestBody().readAllBytes();
            String path = exchange.getRequestURI().getRawPath();
            if (SEARCH.equals(path) && this.failing.remove(this.searches.incrementAndGet())) {
                respond(
                        exchange,
                        500,
                        "application/json",
                        "{\"error\":{\"message\":\"injected failure\",\"type\":\"server_error\"}}".getBytes());
                return;
            }
            String query = exchange.getRequestURI().getRawQuery();
            HttpRequest.Builder request = HttpRequest.newBuilder(
                            URI.create(this.target + path + (query == null ? "" : "?" + query)))
                    .method(exchange.getRequestMethod(), HttpRequest.BodyPublishers.ofByteArray(body));
            String contentType = exchange.getRequestHeaders().getFirst("Content-Type");
            if (contentType != null) {
                request.header("Content-Type", contentType);
            }
            HttpResponse<byte[]> response = this.client.send(request.build(), HttpResponse.BodyHandlers.ofByteArray());
            respond(
                    exchange,
                    response.statusCode(),
                    response.headers().firstValue("Content-Type").orElse("application/octet-stream"),
                    response.body());
        } catch (InterruptedException ex) {
            Thread.currentThread().interrupt();
            throw new IOException(ex);
        }
    }

    private static void respond(HttpExchange exchange, int status, String type, byte[] body) throws IOException {
        exchange.getResponseHeaders().set("Content-Type", type);
        exchange.sendResponseHeaders(status, body.length == 0 ? -1 : body.length);
        try (OutputStream out = exchange.getResponseBody()) {
            out.write(body);
        }
    }
}
