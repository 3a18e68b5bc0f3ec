package io.xcomposer.composition.compose;

import io.xcomposer.common.redis.RedisFailures;
import io.xcomposer.composition.article.StepError;
import io.xcomposer.inference.client.error.InferenceException;
import java.util.Locale;
import java.util.concurrent.TimeoutException;
import org.springframework.web.reactive.function.client.WebClientException;
import org.springframework.web.reactive.function.client.WebClientResponseException;
import reactor.core.publisher.Mono;

/** A pipeline step that failed, with what the client is told about it. */
public final class StepFailure extends RuntimeException {

    private final StepError error;

    public StepFailure(StepError error) {
        super(error.message());
        this.error = error;
    }

    public StepError error() {
        return this.error;
    }

    /** Tags any failure of {@code work} with the step it happened in. */
    public static <T> Mono<T> during(String stage, Mono<T> work) {
        return work.onErrorMap(failure -> !(failure instanceof StepFailure), failure -> of(stage, failure));
    }

    public static StepFailure of(String stage, Throwable failure) {
        if (failure instanceof StepFailure step) {
            return step;
        }
        return new StepFailure(new StepError(stage, code(failure), describe(failure)));
    }

    private static String code(Throwable failure) {
        if (failure instanceof TimeoutException) {
            return "timeout";
        }
        if (failure instanceof WebClientResponseException response) {
            return "upstream_http_" + response.getStatusCode().value();
        }
        if (failure instanceof WebClientException) {
            return "upstream_unreachable";
        }
        if (RedisFailures.isUnavailable(failure)) {
            return "redis_unavailable";
        }
        if (failure instanceof InferenceException inference) {
            return "model_" + inference.code().name().toLowerCase(Locale.ROOT);
        }
        return "internal_error";
    }

    private static String describe(Throwable failure) {
        if (failure instanceof WebClientResponseException response) {
            return "upstream answered " + response.getStatusCode().value() + " " + response.getStatusText();
        }
        String message = failure.getMessage();
        return message == null || message.isBlank() ? failure.getClass().getSimpleName() : message;
    }
}
