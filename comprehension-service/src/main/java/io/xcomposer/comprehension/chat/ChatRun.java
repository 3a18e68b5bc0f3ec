package io.xcomposer.comprehension.chat;

import io.xcomposer.inference.client.generation.GenerationChunk;
import reactor.core.publisher.Flux;

/**
 * One admitted chat request, ready to generate.
 *
 * @param completionId {@code chatcmpl-…}, the same on every chunk
 * @param created Unix seconds
 * @param model the model name to answer with
 * @param conversationId the conversation this turn is stored in
 * @param chunks the generation: cold, subscribe once. It waits for a generation slot, stores the turn before it
 * emits the final chunk, and cancelling it cancels the model server's decoding.
 */
public record ChatRun(
        String completionId, long created, String model, String conversationId, Flux<GenerationChunk> chunks) {}
