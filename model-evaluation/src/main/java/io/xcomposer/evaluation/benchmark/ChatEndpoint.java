package io.xcomposer.evaluation.benchmark;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import org.jspecify.annotations.Nullable;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * {@code POST {base}/v1/chat/completions} of any OpenAI-compatible server: images as {@code data:} URL parts before
 * the text, greedy ({@code temperature 0}), not streamed. 429 and 5xx answers and connection failures are retried
 * (honouring {@code Retry-After}, at most {@link #ATTEMPTS} attempts); other errors end the item with the server's
 * message.
 */
public final class ChatEndpoint {

    static final int ATTEMPTS = 6;

    private static final JsonMapper JSON = JsonMapper.builder().build();

    private final HttpClient http;

    private final URI uri;

    private final String apiKey;

    private final String model;

    private final int maxTokens;

    private final Duration timeout;

    public ChatEndpoint(String baseUrl, String apiKey, String model, int maxTokens, Duration timeout) {
        this.http =
                HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();
        this.uri = URI.create(chatUrl(baseUrl));
        this.apiKey = apiKey;
        this.model = model;
        this.maxTokens = maxTokens;
        this.timeout = timeout;
    }

    /** {@code http://host:8080}, {@code http://host:8080/v1} and the full path all name the same endpoint. */
    static String chatUrl(String baseUrl) {
        String base = baseUrl.replaceAll("/+$", "");
        if (base.endsWith("/chat/completions")) {
            return base;
        }
        return (base.endsWith("/v1") ? base : base + "/v1") + "/chat/completions";
    }

    /** The assistant's text. */
    public String complete(@Nullable String system, List<String> imageUrls, String text)
            throws IOException, InterruptedException {
        String body = JSON.writeValueAsString(body(system, imageUrls, text));
        String lastFailure = "";
        for (int attempt = 1; attempt <= ATTEMPTS; attempt++) {
            HttpRequest request = HttpRequest.newBuilder(uri)
                    .timeout(timeout)
                    .header("Content-Type", "application/json")
                    .header("Authorization", "Bearer " + apiKey)
                    .POST(HttpRequest.BodyPublishers.ofString(body))
                    .build();
            HttpResponse<String> response;
            try {
                response = http.send(request, HttpResponse.BodyHandlers.ofString());
            } catch (IOException e) {
                lastFailure = e.toString();
                Thread.sleep(backoffMillis(attempt, null));
                continue;
            }
            int status = response.statusCode();
            if (status == 200) {
                return content(response.body());
            }
            lastFailure = "HTTP " + status + ": " + errorMessage(response.body());
            if (status != 429 && status < 500) {
                throw new IOException(lastFailure);
            }
            Thread.sleep(backoffMillis(
                    attempt, response.headers().firstValue("Retry-After").orElse(null)));
        }
        throw new IOException("gave up after " + ATTEMPTS + " attempts: " + lastFailure);
    }

    private ObjectNode body(@Nullable String system, List<String> imageUrls, String text) {
        ObjectNode body = JSON.createObjectNode();
        body.put("model", model);
        body.put("temperature", 0);
        body.put("max_tokens", maxTokens);
        body.put("stream", false);
        ArrayNode messages = body.putArray("messages");
        if (system != null) {
            messages.addObject().put("role", "system").put("content", system);
        }
        ObjectNode user = messages.addObject().put("role", "user");
        ArrayNode content = user.putArray("content");
        for (String url : imageUrls) {
            ObjectNode part = content.addObject().put("type", "image_url");
            part.putObject("image_url").put("url", url);
        }
        content.addObject().put("type", "text").put("text", text);
        return body;
    }

    private static String content(String body) throws IOException {
        JsonNode message = JSON.readTree(body).path("choices").path(0).path("message");
        JsonNode content = message.path("content");
        if (!content.isString()) {
            throw new IOException("no choices[0].message.content in the response: " + abbreviate(body));
        }
        return content.asString();
    }

    private static String errorMessage(String body) {
        try {
            JsonNode error = JSON.readTree(body).path("error");
            return error.isObject() ? error.path("message").asString() : abbreviate(body);
        } catch (RuntimeException e) {
            return abbreviate(body);
        }
    }

    private static long backoffMillis(int attempt, @Nullable String retryAfter) {
        if (retryAfter != null && retryAfter.matches("\\d+")) {
            return Math.min(30, Long.parseLong(retryAfter)) * 1000L;
        }
        return Math.min(30_000L, 500L << Math.min(attempt, 6));
    }

    private static String abbreviate(String text) {
        return text.length() <= 300 ? text : text.substring(0, 300) + "…";
    }
}
