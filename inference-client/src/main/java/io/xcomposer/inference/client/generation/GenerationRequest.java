package io.xcomposer.inference.client.generation;

import io.xcomposer.inference.client.contract.ImageEmbeds;
import io.xcomposer.inference.client.tensor.Tensor;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * One generation on the {@code llm} model.
 *
 * @param model model name, normally {@code llm}
 * @param prompt the full prompt, one image placeholder per image, already rendered with the chat template
 * @param imageEmbeds FP32 {@code [N, Q, D]} tensor named {@code image_embeds}, one row block per placeholder, in
 * order; null for a text-only prompt. {@link ImageEmbeds#stack(List)} builds it from vision_encoder outputs.
 * @param sampling sampling controls; null fields are left to the model
 * @param requestId sent as the request id and the {@code x-request-id} header; null sends neither
 * @param deadline overrides the client's generation deadline; null keeps it
 */
public record GenerationRequest(
        String model,
        String prompt,
        @Nullable Tensor imageEmbeds,
        SamplingParams sampling,
        @Nullable String requestId,
        @Nullable Duration deadline) {

    public GenerationRequest {
        Objects.requireNonNull(model, "model");
        Objects.requireNonNull(prompt, "prompt");
        Objects.requireNonNull(sampling, "sampling");
        if (imageEmbeds != null) {
            ImageEmbeds.requireStacked(imageEmbeds);
        }
    }

    /** A text-only request with the given sampling and no id or deadline override. */
    public static GenerationRequest text(String model, String prompt, SamplingParams sampling) {
        return new GenerationRequest(model, prompt, null, sampling, null, null);
    }
}
