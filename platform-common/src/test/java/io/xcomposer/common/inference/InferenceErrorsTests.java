package io.xcomposer.common.inference;

import static org.assertj.core.api.Assertions.assertThat;

import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.xcomposer.common.error.ApiErrors;
import io.xcomposer.common.error.ApiException;
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

/**
 * The inference client's failures as the web module's {@link ApiErrors} (and so its handler) maps them:
 * {@link InferenceErrors} reaches it only through its {@code META-INF/services} registration, so these also prove
 * the registration.
 */
class InferenceErrorsTests {

    @Test
    void aModelStreamCutAfterOutputIsInterruptedNotOverload() {
        StatusRuntimeException cut =
                Status.UNAVAILABLE.withDescription("io exception").asRuntimeException();

        assertThat(ApiErrors.toApiException(GrpcErrors.mapStreamFailure(cut, "llm", 3))
                        .code())
                .isEqualTo("model_stream_interrupted");
        assertThat(ApiErrors.toApiException(GrpcErrors.mapStreamFailure(cut, "llm", 0))
                        .code())
                .isEqualTo("server_is_overloaded");
    }

    @Test
    void mapsImageAndInferenceFailures() {
        assertThat(status(new UnsupportedImageException("not a PNG, JPEG, WebP or GIF image")))
                .isEqualTo(HttpStatus.BAD_REQUEST);
        assertThat(status(new ContextLengthExceededException("llm", "context length exceeded: prompt has 600")))
                .isEqualTo(HttpStatus.BAD_REQUEST);
        assertThat(ApiErrors.toApiException(new ContextLengthExceededException("llm", "x"))
                        .code())
                .isEqualTo("context_length_exceeded");
        ApiException busy = ApiErrors.toApiException(
                new ServerUnavailableException(Status.Code.UNAVAILABLE, "llm", "full", Duration.ofSeconds(3), null));
        assertThat(busy.status()).isEqualTo(HttpStatus.SERVICE_UNAVAILABLE);
        assertThat(ApiExceptionHandler.retryAfterSeconds(busy.retryAfter())).isEqualTo(3);
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

    private static HttpStatus status(Throwable error) {
        return ApiErrors.toApiException(error).status();
    }
}
