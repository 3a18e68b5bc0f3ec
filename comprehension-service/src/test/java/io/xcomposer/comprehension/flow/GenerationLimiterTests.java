package io.xcomposer.comprehension.flow;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.xcomposer.common.error.ApiException;
import io.xcomposer.comprehension.config.ComprehensionProperties;
import io.xcomposer.comprehension.config.FlowControlProperties;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.boot.context.properties.source.MapConfigurationPropertySource;
import org.springframework.http.HttpStatus;
import reactor.core.Disposable;
import reactor.test.StepVerifier;

class GenerationLimiterTests {

    /** A queue timeout that a slow (shared, loaded) test machine cannot reach between two statements. */
    private final GenerationLimiter limiter = limiter(Duration.ofSeconds(30));

    private static GenerationLimiter limiter(Duration queueTimeout) {
        return new GenerationLimiter(
                new FlowControlProperties(1, 1, queueTimeout, Duration.ofSeconds(2)),
                new SimpleMeterRegistry(),
                new Binder(new MapConfigurationPropertySource())
                        .bindOrCreate(ComprehensionProperties.PREFIX, ComprehensionProperties.class));
    }

    @Test
    void queuesThenRefusesWith503AndRetryAfter() {
        GenerationLimiter.Permit running = this.limiter.acquire().block(Duration.ofSeconds(1));
        Disposable queued = this.limiter.acquire().subscribe();

        StepVerifier.create(this.limiter.acquire())
                .expectErrorSatisfies(error -> {
                    ApiException refused = (ApiException) error;
                    assertThat(refused.status()).isEqualTo(HttpStatus.SERVICE_UNAVAILABLE);
                    assertThat(refused.retryAfter()).isEqualTo(Duration.ofSeconds(2));
                })
                .verify(Duration.ofSeconds(1));
        assertThat(this.limiter.waiting()).isEqualTo(1);
        queued.dispose();
        running.release();
        assertThat(this.limiter.running()).isZero();
    }

    @Test
    void releaseHandsTheSlotToTheNextWaiter() {
        GenerationLimiter.Permit first = this.limiter.acquire().block(Duration.ofSeconds(1));

        StepVerifier.create(this.limiter.acquire())
                .then(first::release)
                .assertNext(second -> second.release())
                .verifyComplete();
        assertThat(this.limiter.running()).isZero();
    }

    @Test
    void waitingPastTheQueueTimeoutIs503() {
        GenerationLimiter impatient = limiter(Duration.ofMillis(300));
        GenerationLimiter.Permit running = impatient.acquire().block(Duration.ofSeconds(1));

        StepVerifier.create(impatient.acquire())
                .expectErrorSatisfies(error -> assertThat(error.getMessage()).contains("stayed busy"))
                .verify(Duration.ofSeconds(2));
        assertThat(impatient.waiting()).isZero();
        running.release();
        assertThat(impatient.running()).isZero();
    }
}
