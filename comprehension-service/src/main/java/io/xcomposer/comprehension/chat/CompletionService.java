package io.xcomposer.comprehension.chat;

import static java.util.Objects.requireNonNullElse;

import io.xcomposer.comprehension.config.ComprehensionProperties;
import io.xcomposer.comprehension.flow.GenerationLimiter;
import io.xcomposer.comprehension.metrics.ChatMetrics;
import io.xcomposer.inference.client.TritonClient;
import io.xcomposer.inference.client.generation.GenerationChunk;
import io.xcomposer.inference.client.generation.GenerationRequest;
import io.xcomposer.inference.client.generation.SamplingParams;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.springframework.stereotype.Service;
import reactor.core.publisher.Flux;

/**
 * The generations of one completions request: for each prompt, {@code n} independent samples (seed + i, as in
 * chat), each under its own {@link GenerationLimiter} slot. Nothing is stored: completions have no conversation.
 */
@Service
class CompletionService {

    private final GenerationLimiter limiter;

    private final TritonClient client;

    private final ChatMetrics metrics;

    private final ComprehensionProperties properties;

    CompletionService(
            GenerationLimiter limiter, TritonClient client, ChatMetrics metrics, ComprehensionProperties properties) {
        this.limiter = limiter;
        this.client = client;
        this.metrics = metrics;
        this.properties = properties;
    }

    /** One cold generation per choice, in index order (prompt index × n + sample). */
    List<Flux<GenerationChunk>> choices(CompletionCommand command, String requestId, long arrivalNanos) {
        List<Flux<GenerationChunk>> choices = new ArrayList<>();
        for (String prompt : command.prompts()) {
            for (int sample = 0; sample < command.choices(); sample++) {
                Long seed = command.sampling().seed();
                SamplingParams sampling = seed == null || sample == 0
                        ? command.sampling()
                        : command.sampling().withSeed(seed + sample);
                GenerationRequest generation = new GenerationRequest(
                        this.properties.llmModel(),
                        prompt,
                        null,
                        sampling,
                        requestId,
                        this.properties.generationDeadline());
                choices.add(this.limiter
                        .acquire()
                        .flatMapMany(permit -> this.client
                                .generate(generation)
                                .doOnNext(chunk -> observe(chunk, arrivalNanos))
                                .doFinally(signal -> permit.release())));
            }
        }
        return choices;
    }

    private void observe(GenerationChunk chunk, long arrivalNanos) {
        if (chunk.last()) {
            this.metrics.finished(
                    Duration.ofNanos(System.nanoTime() - arrivalNanos),
                    String.valueOf(chunk.finishReason()),
                    requireNonNullElse(chunk.promptTokens(), 0),
                    requireNonNullElse(chunk.completionTokens(), 0),
                    0);
        }
    }
}
