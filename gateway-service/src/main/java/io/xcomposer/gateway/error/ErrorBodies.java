package io.xcomposer.gateway.error;

import io.xcomposer.common.error.ApiException;
import io.xcomposer.common.error.ErrorResponse;
import io.xcomposer.common.sse.ServerSentEvents;
import org.jspecify.annotations.Nullable;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * Error bodies the gateway writes itself rather than through the exception handler: error events inside a running
 * SSE stream (framed by platform-web's {@link ServerSentEvents}), and downstream error bodies relayed to the client,
 * both in platform-web's {@link ErrorResponse}.
 */
public final class ErrorBodies {

    private static final JsonMapper JSON = JsonMapper.builder().build();

    private ErrorBodies() {}

    public static String json(String message, String type, @Nullable String code, @Nullable String param) {
        return ServerSentEvents.errorData(ErrorResponse.of(message, type, param, code), JSON);
    }

    /**
     * A downstream error body in the platform's shape, normalised if it is not one (LMDeploy-style flat bodies,
     * plain text from a proxy): the client always gets {@code {"error":{...}}}.
     */
    public static String normalise(int status, String body) {
        try {
            JsonNode node = JSON.readTree(body);
            if (node != null
                    && node.path("error").isObject()
                    && node.path("error").has("message")) {
                return body;
            }
            if (node != null && node.has("message")) {
                return json(node.path("message").asString(), typeFor(status), codeFor(status), null);
            }
        } catch (RuntimeException notJson) {
            // fall through: wrap the text
        }
        String text = body.isBlank() ? "Downstream service answered " + status + "." : body.strip();
        return json(text.length() > 500 ? text.substring(0, 500) : text, typeFor(status), codeFor(status), null);
    }

    static String typeFor(int status) {
        if (status == 429) {
            return ApiException.RATE_LIMIT;
        }
        if (status == 503) {
            return ApiException.SERVICE_UNAVAILABLE;
        }
        return status >= 500 ? ApiException.SERVER_ERROR : ApiException.INVALID_REQUEST;
    }

    static String codeFor(int status) {
        return switch (status) {
            case 400 -> "invalid_request";
            case 404 -> "not_found";
            case 413 -> "request_too_large";
            case 429 -> "rate_limit_exceeded";
            case 503 -> "overloaded";
            default -> status >= 500 ? "server_error" : "invalid_request";
        };
    }
}
