package io.xcomposer.inference.server.generation;

/** Receives one generation's output; implemented by the gRPC stream handler. */
public interface GenerationListener {

    /** A non-empty text delta of complete UTF-8 characters. */
    void onText(String delta);

    /** The last call for a generation that ran; {@code text} is the final delta and may be empty. */
    void onFinished(String text, FinishReason reason, int promptTokens, int completionTokens);

    /** The last call for a generation that failed after it was accepted. */
    void onFailed(String message);

    /** Polled between decoding steps; true stops decoding with {@link FinishReason#CANCELLED}. */
    boolean isCancelled();
}
