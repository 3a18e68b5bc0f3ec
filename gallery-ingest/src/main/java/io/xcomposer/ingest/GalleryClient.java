package io.xcomposer.ingest;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.Map;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * The two gallery calls the command needs, through the gateway with an API key: does an image exist
 * ({@code GET /v1/gallery/images/{id}}), and ingest one ({@code POST /v1/gallery/images}, idempotent by content:
 * 201 created, 200 already there). 429 and 503 are waited out by their {@code Retry-After}, other 5xx and lost
 * connections retried with backoff, a bounded number of times; other 4xx are the image's own failure, and 401/403
 * stop the run (every image would fail the same way).
 */
final class GalleryClient {

    private static final JsonMapper JSON = JsonMapper.builder().build();
    private static final Duration MAX_WAIT = Duration.ofSeconds(30);

    private final HttpClient http;
    private final String baseUrl;
    private final String key;
    private final int attempts;
    private final Duration timeout;

    GalleryClient(String baseUrl, String key, int attempts, Duration timeout) {
        this.http =
                HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();
        this.baseUrl = baseUrl.replaceAll("/+$", "");
        this.key = key;
        this.attempts = Math.max(1, attempts);
        this.timeout = timeout;
    }

    String baseUrl() {
        return this.baseUrl;
    }

    /** Whether the gallery holds an image of this id. */
    boolean exists(String id) throws IOException, InterruptedException {
        HttpResponse<String> response = send(request("/v1/gallery/images/" + id).GET());
        if (response.statusCode() == 404) {
            return false;
        }
        if (response.statusCode() == 200) {
            return true;
        }
        throw failure(response);
    }

    /** Ingests the bytes; answers the stored image's id and whether this call created it. */
    Ingested ingest(byte[] bytes, String file, Annotation annotation) throws IOException, InterruptedException {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("image_base64", Base64.getEncoder().encodeToString(bytes));
        if (annotation.caption() != null) {
            body.put("caption", annotation.caption());
        }
        body.put("tags", annotation.tags());
        Map<String, Object> metadata = new LinkedHashMap<>(annotation.metadata());
        metadata.putIfAbsent("source_file", file);
        body.put("metadata", metadata);
        HttpResponse<String> response = send(request("/v1/gallery/images")
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(JSON.writeValueAsString(body))));
        if (response.statusCode() != 200 && response.statusCode() != 201) {
            throw failure(response);
        }
        JsonNode image = JSON.readTree(response.body());
        return new Ingested(image.path("id").asString(), response.statusCode() == 201);
    }

    record Ingested(String id, boolean created) {}

    private HttpRequest.Builder request(String path) {
        return HttpRequest.newBuilder(URI.create(this.baseUrl + path))
                .timeout(this.timeout)
                .header("Authorization", "Bearer " + this.key)
                .header("Accept", "application/json");
    }

    private HttpResponse<String> send(HttpRequest.Builder builder) throws IOException, InterruptedException {
        HttpRequest request = builder.build();
        IOException lost = null;
        for (int attempt = 1; attempt <= this.attempts; attempt++) {
            Duration wait = Duration.ofMillis(250L << Math.min(attempt - 1, 6));
            try {
                HttpResponse<String> response = this.http.send(request, HttpResponse.BodyHandlers.ofString());
                int status = response.statusCode();
                if (status != 429 && status < 500 || attempt == this.attempts) {
                    return response;
                }
                wait = retryAfter(response).orElse(wait);
            } catch (IOException e) {
                lost = e;
            }
            Thread.sleep(wait.compareTo(MAX_WAIT) > 0 ? MAX_WAIT : wait);
        }
        throw lost;
    }

    private static java.util.Optional<Duration> retryAfter(HttpResponse<?> response) {
        return response.headers().firstValue("Retry-After").flatMap(value -> {
            try {
                return java.util.Optional.of(Duration.ofSeconds(Long.parseLong(value.strip())));
            } catch (NumberFormatException e) {
                return java.util.Optional.empty();
            }
        });
    }

    private static GalleryException failure(HttpResponse<String> response) {
        String message;
        try {
            message =
                    JSON.readTree(response.body()).path("error").path("message").asString(response.body());
        } catch (RuntimeException e) {
            message = response.body();
        }
        int status = response.statusCode();
        return new GalleryException(status, status + ": " + message, status == 401 || status == 403);
    }

    /** A call the gallery refused; {@code fatal} when no other image would fare better (a bad key). */
    static final class GalleryException extends IOException {

        private final int status;
        private final boolean fatal;

        GalleryException(int status, String message, boolean fatal) {
            super(message);
            this.status = status;
            this.fatal = fatal;
        }

        int status() {
            return this.status;
        }

        boolean fatal() {
            return this.fatal;
        }
    }
}
