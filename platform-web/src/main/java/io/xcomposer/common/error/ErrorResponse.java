package io.xcomposer.common.error;

import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * The platform's error body, OpenAI's shape: {@code {"error":{"message","type","param","code"}}}.
 *
 * @param error the one error this response reports
 */
public record ErrorResponse(Error error) {

    public ErrorResponse {
        Objects.requireNonNull(error, "error");
    }

    public static ErrorResponse of(String message, String type, @Nullable String param, @Nullable String code) {
        return new ErrorResponse(new Error(message, type, param, code));
    }

    /**
     * @param message for humans: what was wrong and, where it helps, what is accepted
     * @param type the class of error, e.g. {@code invalid_request_error}, {@code rate_limit_error}
     * @param param the request field at fault, e.g. {@code messages[0].content[1].image_url.url}; null when none
     * @param code stable, machine-readable reason, e.g. {@code context_length_exceeded}; null when none
     */
    public record Error(
            String message,
            String type,
            @Nullable String param,
            @Nullable String code) {

        public Error {
            Objects.requireNonNull(message, "message");
            Objects.requireNonNull(type, "type");
        }
    }
}
