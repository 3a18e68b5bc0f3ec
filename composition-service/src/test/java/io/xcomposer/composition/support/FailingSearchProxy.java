package io.xcomposer.composition.support;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import mockwebserver3.Dispatcher;
import mockwebserver3.MockResponse;
import mockwebserver3.MockWebServer;
import mockwebserver3.RecordedRequest;
import okio.Buffer;
import okio.ByteString;

/**
 * A loopback HTTP proxy (an OkHttp {@link MockWebServer} whose dispatcher forwards) in front of the real
 * retrieval-service that passes every request on unchanged, except that a test can make one
 * {@code POST /v1/gallery/search} answer 500 instead ("retrieval down for one slot").
 */
public final class FailingSearchProxy {

    private static final String SEARCH = "/v1/gallery/search";

    private final String target;

    private final MockWebServer server = new MockWebServer();

    private final HttpClient client =
            HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

    private final AtomicInteger searches = new AtomicInteger();

    private final Set<Integer> failing = ConcurrentHashMap.newKeySet();

    public FailingSearchProxy(String target) {
        this.target = target;
        this.server.setDispatcher(new Dispatcher() {
            @Override
            public MockResponse dispatch(RecordedRequest request) throws InterruptedException {
                return forward(request);
            }
        });
        try {
            this.server.start(InetAddress.getLoopbackAddress(), 0);
        } catch (IOException ex) {
            throw new UncheckedIOException(ex);
        }
    }

    public String baseUrl() {
        return "http://127.0.0.1:" + this.server.getPort();
    }

    /** Makes the {@code n}-th search from now (1 = the next) answer 500. */
    public void failSearch(int n) {
        this.failing.add(this.searches.get() + n);
    }

    private MockResponse forward(RecordedRequest request) throws InterruptedException {
        String pathAndQuery = request.getTarget();
        String path = request.getUrl().encodedPath();
        if (SEARCH.equals(path) && this.failing.remove(this.searches.incrementAndGet())) {
            return answer(
                    500,
                    "application/json",
                    "{\"error\":{\"message\":\"injected failure\",\"type\":\"server_error\"}}".getBytes());
        }
        ByteString body = request.getBody();
        HttpRequest.Builder forwarded = HttpRequest.newBuilder(URI.create(this.target + pathAndQuery))
                .method(
                        request.getMethod(),
                        HttpRequest.BodyPublishers.ofByteArray(body == null ? new byte[0] : body.toByteArray()));
        String contentType = request.getHeaders().get("Content-Type");
        if (contentType != null) {
            forwarded.header("Content-Type", contentType);
        }
        try {
            HttpResponse<byte[]> response =
                    this.client.send(forwarded.build(), HttpResponse.BodyHandlers.ofByteArray());
            return answer(
                    response.statusCode(),
                    response.headers().firstValue("Content-Type").orElse("application/octet-stream"),
                    response.body());
        } catch (IOException ex) {
            throw new UncheckedIOException(ex);
        }
    }

    private static MockResponse answer(int status, String type, byte[] body) {
        return new MockResponse.Builder()
                .code(status)
                .addHeader("Content-Type", type)
                .body(new Buffer().write(body))
                .build();
    }
}
