package io.xcomposer.inference.server.generation;

import io.xcomposer.inference.client.generation.TokenLogprob;
import java.util.List;

/** Receives one generation's output; implemented by the gRPC stream handler. */
public interface GenerationListener {

    /** A non-empty text delta of complete UTF-8 characters. */
    void onText(String delta);

    /** The last call for a generation that ran; {@code text} is the final delta and may be empty. */
    void onFinished(String text, FinishReason reason, int promptTokens, int completionTokens);

    /** A text delta with the log-probabilities of its tokens (empty unless the request asked for them). */
    default void onText(String delta, List<TokenLogprob> logprobs) {
        onText(delta);
    }

    /** {@link #onFinished(String, FinishReason, int, int)} with the final text's token log-probabilities. */
    default void onFinished(
            String text, List<TokenLogprob> logprobs, FinishReason reason, int promptTokens, int completionTokens) {
        onFinished(text, reason, promptTokens, completionTokens);
    }

    /** The last call for a generation that failed after it was accepted. */
    void onFailed(String message);

    /** Polled between decoding steps; true stops decoding with {@link FinishReason#CANCELLED}. */
    boolean isCancelled();
}
