package io.xcomposer.comprehension.support;

import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.jspecify.annotations.Nullable;
import org.springframework.core.ParameterizedTypeReference;
import org.springframework.http.MediaType;
import org.springframework.http.codec.ServerSentEvent;
import org.springframework.test.web.reactive.server.WebTestClient;
import tools.jackson.databind.JsonNode;

/** Builds chat request bodies and posts them, for tests. */
public final class Chat {

    private static final ParameterizedTypeReference<ServerSentEvent<String>> EVENT =
            new ParameterizedTypeReference<>() {};

    private Chat() {}

    /** Posts {@code body} to {@code path} as a stream, expects 200 and returns every event's data, {@code [DONE]} too. */
    public static List<String> streamedData(WebTestClient client, String path, Object body, Duration within) {
        return client.post()
                .uri(path)
                .contentType(MediaType.APPLICATION_JSON)
                .accept(MediaType.TEXT_EVENT_STREAM)
                .bodyValue(body)
                .exchange()
                .expectStatus()
                .isOk()
                .returnResult(EVENT)
                .getResponseBody()
                .filter(event -> event.data() != null)
                .map(ServerSentEvent::data)
                .collectList()
                .block(within);
    }

    public static Map<String, Object> text(String text) {
        return Map.of("type", "text", "text", text);
    }

    public static Map<String, Object> image(String url) {
        return Map.of("type", "image_url", "image_url", Map.of("url", url));
    }

    public static Map<String, Object> user(Object... parts) {
        return Map.of("role", "user", "content", List.of(parts));
    }

    /** A greedy, non-streamed request with these messages. */
    public static Map<String, Object> request(@Nullable String conversationId, Map<String, Object>... messages) {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("model", "xcomposer");
        body.put("messages", new ArrayList<>(List.of(messages)));
        body.put("temperature", 0);
        body.put("max_tokens", 64);
        if (conversationId != null) {
            body.put("conversation_id", conversationId);
        }
        return body;
    }

    /** Posts {@code body}, expects 200 and returns the chat.completion. */
    public static JsonNode complete(WebTestClient client, Object body) {
        return client.post()
                .uri("/v1/chat/completions")
                .contentType(MediaType.APPLICATION_JSON)
                .bodyValue(body)
                .exchange()
                .expectStatus()
                .isOk()
                .expectBody(JsonNode.class)
                .returnResult()
                .getResponseBody();
    }

    public static String answer(JsonNode completion) {
        return completion.at("/choices/0/message/content").asString();
    }
}
