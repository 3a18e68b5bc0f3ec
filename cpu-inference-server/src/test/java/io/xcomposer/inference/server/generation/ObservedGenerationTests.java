package io.xcomposer.inference.server.generation;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.micrometer.observation.tck.TestObservationRegistry;
import io.micrometer.observation.tck.TestObservationRegistryAssert;
import io.xcomposer.inference.server.InferenceException;
import io.xcomposer.inference.server.metrics.InferenceMetrics;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class ObservedGenerationTests {

    private final SimpleMeterRegistry meters = new SimpleMeterRegistry();

    private final TestObservationRegistry observations = TestObservationRegistry.create();

    private final List<String> delivered = new ArrayList<>();

    private final GenerationListener client = new GenerationListener() {

        @Override
        public void onText(String delta) {
            delivered.add(delta);
        }

        @Override
        public void onFinished(String text, FinishReason reason, int promptTokens, int completionTokens) {
            delivered.add("finished:" + reason.wireValue());
        }

        @Override
        public void onFailed(String message) {
            delivered.add("failed:" + message);
        }

        @Override
        public boolean isCancelled() {
            return false;
        }
    };

    @Test
    void finishedGeneration_recordsTheGenAiServerMetrics_andEndsItsSpanWithTheUsage() {
        ObservedGeneration generation = observed();

        generation.onText("A ");
        generation.onText("red ");
        generation.onFinished("circle", FinishReason.STOP, 70, 3);
        generation.stop();

        assertThat(delivered).containsExactly("A ", "red ", "finished:stop");
        assertThat(timerCount(InferenceMetrics.TIME_TO_FIRST_TOKEN)).isEqualTo(1);
        assertThat(timerCount(InferenceMetrics.TIME_PER_OUTPUT_TOKEN)).isEqualTo(1);
        assertThat(timerCount(InferenceMetrics.REQUEST_DURATION)).isEqualTo(1);
        TestObservationRegistryAssert.assertThat(observations)
                .hasSingleObservationThat()
                .hasNameEqualTo("xcomposer.step")
                .hasContextualNameEqualTo("text_completion llm")
                .hasLowCardinalityKeyValue("step", "model.generate")
                .hasLowCardinalityKeyValue("gen_ai.request.model", "llm")
                .hasHighCardinalityKeyValue("gen_ai.response.finish_reasons", "stop")
                .hasHighCardinalityKeyValue("gen_ai.usage.input_tokens", "70")
                .hasHighCardinalityKeyValue("gen_ai.usage.output_tokens", "3")
                .hasBeenStopped();
    }

    @Test
    void refusedGeneration_endsItsSpanWithTheError_andRecordsNoLatency() {
        ObservedGeneration generation = observed();
        InferenceException busy = InferenceException.unavailable("all 1 generation slots are busy; retry later");

        generation.refused(busy);

        assertThat(meters.find(InferenceMetrics.REQUEST_DURATION).timer()).isNull();
        TestObservationRegistryAssert.assertThat(observations)
                .hasSingleObservationThat()
                .hasBeenStopped()
                .assertThatError()
                .isSameAs(busy);
    }

    @Test
    void failedGeneration_isTimedWithItsErrorType() {
        ObservedGeneration generation = observed();

        generation.onFailed("generation failed: boom");

        assertThat(delivered).containsExactly("failed:generation failed: boom");
        assertThat(meters.get(InferenceMetrics.REQUEST_DURATION)
                        .tag("error.type", "failed")
                        .timer()
                        .count())
                .isEqualTo(1);
        assertThat(meters.find(InferenceMetrics.TIME_TO_FIRST_TOKEN).timer()).isNull();
    }

    private ObservedGeneration observed() {
        return new ObservedGeneration(client, new InferenceMetrics(meters), observations, "llm", System.nanoTime());
    }

    private long timerCount(String name) {
        return meters.get(name).timer().count();
    }
}
