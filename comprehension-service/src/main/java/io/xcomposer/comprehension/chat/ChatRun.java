package io.xcomposer.comprehension.chat;

import io.xcomposer.inference.client.generation.GenerationChunk;
import java.util.List;
import reactor.core.publisher.Flux;

/**
 * One admitted chat request, ready to generate.
 *
 * @param completionId {@code chatcmpl-…}, the same on every chunk
 * @param created Unix seconds
 * @param model the model name to answer with
 * @param conversationId the conversation this turn is stored in
 * @param choices one generation per requested choice ({@code n}), in index order: each cold, subscribe once. Each
 * waits for its own generation slot; choice 0 stores the turn before it emits its final chunk; cancelling one
 * cancels the model server's decoding of it.
 * @param logprobs whether the request asked for log-probabilities (then every choice carries them)
 */
public record ChatRun(
        String completionId,
        long created,
        String model,
        String conversationId,
        List<Flux<GenerationChunk>> choices,
        boolean logprobs) {

    public ChatRun {
        choices = List.copyOf(choices);
    }
}
