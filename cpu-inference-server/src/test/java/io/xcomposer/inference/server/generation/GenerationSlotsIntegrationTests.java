package io.xcomposer.inference.server.generation;

import static org.assertj.core.api.Assertions.assertThat;

import io.xcomposer.inference.client.generation.GenerationRequest;
import io.xcomposer.inference.client.generation.LlmTensors;
import io.xcomposer.inference.client.generation.SamplingParams;
import io.xcomposer.inference.grpc.ModelInferRequest;
import io.xcomposer.inference.server.EmbeddedInferenceServer;
import io.xcomposer.inference.server.repository.ModelRepository;
import java.nio.file.Path;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * A generation's slot is free by the time its last response goes out: a client that admits exactly as many
 * generations as the server has slots, and starts the next one when an answer ends, is never refused.
 */
class GenerationSlotsIntegrationTests {

    @Test
    void theNextGenerationStartedWhenTheLastAnswerArrivesGetsTheSlot() throws Exception {
        Path repository = Path.of(System.getProperty("model.repository", "../model-repository/tiny"));
        try (EmbeddedInferenceServer server =
                EmbeddedInferenceServer.start(repository, "xcomposer.server.max-concurrent-generations=1")) {
            GenerationService generations = server.context().getBean(GenerationService.class);
            DecoderModel llm = server.context()
                    .getBean(ModelRepository.class)
                    .servedModels(DecoderModel.class)
                    .findFirst()
                    .orElseThrow();
            ModelInferRequest request = LlmTensors.toInferRequest(
                    GenerationRequest.text(llm.config().getName(), "Say hello.", SamplingParams.greedy(4)));
            CompletableFuture<String> next = new CompletableFuture<>();
            generations.start(llm, request, new Listener() {
                @Override
                public void onFinished(String text, FinishReason reason, int promptTokens, int completionTokens) {
                    // What a client does on the final response: start its next, queued generation at once.
                    try {
                        generations.start(llm, request, new Listener() {
                            @Override
                            public void onFinished(String text, FinishReason reason, int prompt, int completion) {
                                next.complete(reason.name());
                            }

                            @Override
                            public void onFailed(String message) {
                                next.complete("failed: " + message);
                            }
                        });
                    } catch (RuntimeException refused) {
                        next.complete("refused: " + refused.getMessage());
                    }
                }
            });
            assertThat(next.get(30, TimeUnit.SECONDS))
                    .isNotEqualTo("CANCELLED")
                    .doesNotStartWith("refused")
                    .doesNotStartWith("failed");
        }
    }

    /** Ignores everything but the end. */
    private abstract static class Listener implements GenerationListener {

        @Override
        public void onText(String delta) {}

        @Override
        public void onFailed(String message) {}

        @Override
        public boolean isCancelled() {
            return false;
        }
    }
}
