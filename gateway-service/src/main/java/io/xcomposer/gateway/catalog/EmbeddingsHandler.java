package io.xcomposer.gateway.catalog;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;

import io.xcomposer.common.error.ApiException;
import io.xcomposer.gateway.downstream.Downstream;
import io.xcomposer.gateway.downstream.DownstreamStatusException;
import io.xcomposer.gateway.downstream.Downstreams;
import io.xcomposer.gateway.downstream.Forwarding;
import org.springframework.core.ParameterizedTypeReference;
import org.springframework.http.HttpMethod;
import org.springframework.http.MediaType;
import org.springframework.stereotype.Component;
import org.springframework.web.reactive.function.server.ServerRequest;
import org.springframework.web.reactive.function.server.ServerResponse;
import reactor.core.publisher.Mono;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * {@code POST /v1/embeddings}, OpenAI's shape, through retrieval's joint text/image space. {@code input} is a string
 * or a list of strings; as an extension, items may be {@code {"type":"image_url","image_url":{"url":...}}} or the
 * body may carry {@code images: [...]} (URLs, data URLs or {@code img_} ids) — one request is either texts or
 * images, as retrieval embeds one modality per call. {@code encoding_format: base64} packs float32 little-endian.
 */
@Component
public class EmbeddingsHandler {

    private static final ParameterizedTypeReference<String> TEXT = new ParameterizedTypeReference<>() {
    };

    private final Downstream retrieval;
    private final JsonMapper json;

    public EmbeddingsHandler(Downstreams downstreams, JsonMapper json) {
        this.retrieval = downstreams.retrieval();
        this.json = json;
    }

    public Mono<ServerResponse> create(ServerRequest request) {
        return request.bodyToMono(String.class)
                .defaultIfEmpty("")
                .map(this::parse)
                .flatMap(call -> retrieval.exchange(HttpMethod.POST, "/v1/gallery/embeddings",
                                Forwarding.baseHeaders(request.exchange())
                                        .andThen(headers -> headers.setContentType(MediaType.APPLICATION_JSON)),
                                json.writeValueAsBytes(call.downstreamBody()), TEXT)
                        .flatMap(entity -> entity.getBody().collectList().map(parts -> String.join("", parts)))
                        .map(answer -> toOpenAi(call, answer)))
                .flatMap(body -> ServerResponse.ok().contentType(MediaType.APPLICATION_JSON).bodyValue(body))
                .onErrorResume(DownstreamStatusException.class, Forwarding::relayError);
    }

    private Call parse(String text) {
        JsonNode root;
        try {
            root = json.readTree(text);
        } catch (RuntimeException e) {
            throw ApiException.badRequest("invalid_json", "The request body is not valid JSON.", null);
        }
        String model = root.path("model").asString("");
        String format = root.path("encoding_format").asString("float");
        if (!format.equals("float") && !format.equals("base64")) {
            throw ApiException.badRequest("invalid_value", "encoding_format must be 'float' or 'base64'.",
                    "encoding_format");
        }
        List<String> texts = new ArrayList<>();
        List<String> images = new ArrayList<>();
        root.path("images").forEach(image -> images.add(image.asString()));
        JsonNode input = root.path("input");
        if (input.isString()) {
            texts.add(input.asString());
        } else if (input.isArray()) {
            for (JsonNode item : input) {
                if (item.isString()) {
                    texts.add(item.asString());
                } else if ("image_url".equals(item.path("type").asString(""))) {
                    images.add(item.path("image_url").path("url").asString());
                } else {
                    throw ApiException.badRequest("invalid_value",
                            "input items must be strings or {type:image_url} objects.", "input");
                }
            }
        }
        if (texts.isEmpty() == images.isEmpty()) {
            throw ApiException.badRequest("invalid_value",
                    "Send either texts ('input') or images, not both and not neither.", "input");
        }
        Map<String, Object> downstream = texts.isEmpty() ? Map.of("images", images) : Map.of("input", texts);
        return new Call(model, format.equals("base64"), texts, downstream);
    }

    /** Accepts retrieval's answer as OpenAI data[], or as a bare list of vectors under a few plausible names. */
    private String toOpenAi(Call call, String answer) {
        JsonNode root = json.readTree(answer);
        List<JsonNode> vectors = new ArrayList<>();
        if (root.path("data").isArray()) {
            root.path("data").forEach(item -> vectors.add(item.has("embedding") ? item.get("embedding") : item));
        } else {
            for (String name : List.of("embeddings", "vectors")) {
                root.path(name).forEach(vectors::add);
            }
        }
        ObjectNode out = json.createObjectNode();
        out.put("object", "list");
        out.put("model", call.model().isEmpty() ? root.path("model").asString("") : call.model());
        ArrayNode data = out.putArray("data");
        for (int i = 0; i < vectors.size(); i++) {
            ObjectNode item = data.addObject();
            item.put("object", "embedding");
            item.put("index", i);
            if (call.base64()) {
                item.put("embedding", base64(vectors.get(i)));
            } else {
                item.set("embedding", vectors.get(i));
            }
        }
        long promptTokens = root.path("usage").path("prompt_tokens")
                .asLong(call.texts().stream().mapToLong(t -> t.isBlank() ? 0 : t.trim().split("\\s+").length).sum());
        ObjectNode usage = out.putObject("usage");
        usage.put("prompt_tokens", promptTokens);
        usage.put("total_tokens", promptTokens);
        return json.writeValueAsString(out);
    }

    private static String base64(JsonNode vector) {
        ByteBuffer bytes = ByteBuffer.allocate(vector.size() * 4).order(ByteOrder.LITTLE_ENDIAN);
        vector.forEach(value -> bytes.putFloat((float) value.asDouble()));
        return Base64.getEncoder().encodeToString(bytes.array());
    }

    private record Call(String model, boolean base64, List<String> texts, Map<String, Object> downstreamBody) {
    }
}
