package io.xcomposer.inference.client.generation;

import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * One streamed response of a generation.
 *
 * @param textDelta text produced since the previous chunk (complete UTF-8 characters; may be empty)
 * @param last whether this is the final response ({@code triton_final_response})
 * @param finishReason {@code stop}, {@code length} or {@code cancelled}; null unless last
 * @param promptTokens tokens in the spliced prompt; only on the last chunk
 * @param completionTokens tokens generated; only on the last chunk
 * @param requestId the request id echoed by the server; null when the request carried none
 * @param logprobs when log-probabilities were asked: the tokens whose text this chunk carries, in order; else empty
 */
public record GenerationChunk(
        String textDelta,
        boolean last,
        @Nullable String finishReason,
        @Nullable Integer promptTokens,
        @Nullable Integer completionTokens,
        @Nullable String requestId,
        List<TokenLogprob> logprobs) {

    public GenerationChunk {
        logprobs = List.copyOf(logprobs);
    }

    /** A chunk without log-probabilities. */
    public GenerationChunk(
            String textDelta,
            boolean last,
            @Nullable String finishReason,
            @Nullable Integer promptTokens,
            @Nullable Integer completionTokens,
            @Nullable String requestId) {
        this(textDelta, last, finishReason, promptTokens, completionTokens, requestId, List.of());
    }
}
