package io.xcomposer.common.inference;

import static org.assertj.core.api.Assertions.assertThat;

import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.xcomposer.common.error.ApiErrors;
import io.xcomposer.common.error.ApiExceptionHandler;
import io.xcomposer.inference.client.error.ContextLengthExceededException;
import io.xcomposer.inference.client.error.GrpcErrors;
import io.xcomposer.inference.client.error.InferenceTimeoutException;
import io.xcomposer.inference.client.error.ServerUnavailableException;
import io.xcomposer.inference.client.image.ImageTooLargeException;
import io.xcomposer.inference.client.image.UnsupportedImageException;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.springframework.http.HttpStatus;
import org.springframework.mock.http.server.reactive.MockServerHttpRequest;
import org.springframework.mock.web.server.MockServerWebExchange;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.ObjectMapper;
import tools.jackson.databind.json.JsonMapper;

/**
 * The inference client's failures as the web module's handler renders them: {@link InferenceErrors} reaches it only
 * through its {@code META-INF/services} registration, so these also prove the registration.
 */
class InferenceErrorsTests {

    private final ObjectMapper json = JsonMapper.builder().build();

    private final ApiExceptionHandler handler = new ApiExceptionHandler(this.json);

    @Test
    void aModelStreamCutAfterOutputIsInterruptedNotOverload() {
        StatusRuntimeException cut =
                Status.UNAVAILABLE.withDescription("io exception").asRuntimeException();

        assertThat(body(handle(GrpcErrors.mapStreamFailure(cut, "llm", 3)))
                        .at("/error/code")
                        .asString())
                .isEqualTo("model_stream_interrupted");
        assertThat(body(handle(GrpcErrors.mapStreamFailure(cut, "llm", 0)))
                        .at("/error/code")
                        .asString())
                .isEqualTo("server_is_overloaded");
    }

    @Test
    void mapsImageAndInferenceFailures() {
        assertThat(status(new UnsupportedImageException("not a PNG, JPEG, WebP or GIF image")))
                .isEqualTo(HttpStatus.BAD_REQUEST);
        assertThat(status(new ContextLengthExceededException("llm", "context length exceeded: prompt has 600")))
                .isEqualTo(HttpStatus.BAD_REQUEST);
        assertThat(body(handle(new ContextLengthExceededException("llm", "x")))
                        .at("/error/code")
                        .asString())
                .isEqualTo("context_length_exceeded");
        MockServerWebExchange busy = handle(
                new ServerUnavailableException(Status.Code.UNAVAILABLE, "llm", "full", Duration.ofSeconds(3), null));
        assertThat(busy.getResponse().getStatusCode()).isEqualTo(HttpStatus.SERVICE_UNAVAILABLE);
        assertThat(busy.getResponse().getHeaders().getFirst("Retry-After")).isEqualTo("3");
        assertThat(status(new InferenceTimeoutException("llm", "late", null))).isEqualTo(HttpStatus.GATEWAY_TIMEOUT);
    }

    @Test
    void imageAndInferenceFailuresAreAnticipated() {
        assertThat(ApiErrors.isUnexpected(new ImageTooLargeException("too big")))
                .isFalse();
        assertThat(ApiErrors.isUnexpected(new InferenceTimeoutException("llm", "late", null)))
                .isFalse();
        assertThat(status(new ImageTooLargeException("image has 30000000 bytes"))
                        .value())
                .isEqualTo(413);
    }

    private HttpStatus status(Throwable error) {
        return HttpStatus.valueOf(handle(error).getResponse().getStatusCode().value());
    }

    private MockServerWebExchange handle(Throwable error) {
        MockServerWebExchange exchange = MockServerWebExchange.from(MockServerHttpRequest.post("/v1/chat/completions"));
        this.handler.handle(exchange, error).block(Duration.ofSeconds(5));
        return exchange;
    }

    private JsonNode body(MockServerWebExchange exchange) {
        return this.json.readTree(exchange.getResponse().getBodyAsString().block(Duration.ofSeconds(5)));
    }
}
