package io.xcomposer.comprehension.chat;

import io.xcomposer.inference.client.generation.SamplingParams;
import java.util.List;

/**
 * A validated completions request.
 *
 * @param prompts the model prompts, one per request prompt, the chat template already applied unless raw
 * @param choices samples per prompt ({@code n}); choice index = prompt index × n + sample, sample i seeded seed + i
 * @param logprobs whether the answer reports log-probabilities (the count of alternatives is in {@code sampling})
 */
record CompletionCommand(
        List<String> prompts,
        SamplingParams sampling,
        int choices,
        boolean stream,
        boolean includeUsage,
        boolean logprobs) {

    CompletionCommand {
        prompts = List.copyOf(prompts);
    }
}
