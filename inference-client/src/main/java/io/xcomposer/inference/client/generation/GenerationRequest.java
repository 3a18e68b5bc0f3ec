package io.xcomposer.inference.client.generation;

import io.xcomposer.inference.client.tensor.Tensor;
import io.xcomposer.inference.client.tensor.TensorCodec;
import io.xcomposer.inference.client.tensor.TensorDatatype;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
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
 * order; null for a text-only prompt. {@link #stackImageEmbeds(List)} builds it from vision_encoder outputs.
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
        if (imageEmbeds != null
                && (!LlmTensors.IMAGE_EMBEDS.equals(imageEmbeds.name())
                        || imageEmbeds.type() != TensorDatatype.FP32
                        || imageEmbeds.shape().length != 3)) {
            throw new IllegalArgumentException("imageEmbeds must be an FP32 [N,Q,D] tensor named '"
                    + LlmTensors.IMAGE_EMBEDS + "', got " + imageEmbeds);
        }
    }

    /** A text-only request with the given sampling and no id or deadline override. */
    public static GenerationRequest text(String model, String prompt, SamplingParams sampling) {
        return new GenerationRequest(model, prompt, null, sampling, null, null);
    }

    /**
     * Stacks vision_encoder outputs (each FP32 {@code [Q, D]}, or {@code [1, Q, D]} from a batching encoder) into
     * the llm's {@code image_embeds} {@code [N, Q, D]}, in the order the placeholders appear in the prompt.
     */
    public static Tensor stackImageEmbeds(List<Tensor> encoderOutputs) {
        if (encoderOutputs.isEmpty()) {
            throw new IllegalArgumentException("no image embeddings to stack");
        }
        long[] first = queryAndWidth(encoderOutputs.get(0));
        ByteArrayOutputStream stacked = new ByteArrayOutputStream();
        for (Tensor output : encoderOutputs) {
            long[] queryAndWidth = queryAndWidth(output);
            if (queryAndWidth[0] != first[0] || queryAndWidth[1] != first[1]) {
                throw new IllegalArgumentException("image embeddings differ in [Q, D]: " + output);
            }
            ByteBuffer data = output.data();
            byte[] bytes = new byte[data.remaining()];
            data.get(bytes);
            stacked.writeBytes(bytes);
        }
        long[] shape = {encoderOutputs.size(), first[0], first[1]};
        ByteBuffer data = ByteBuffer.wrap(stacked.toByteArray());
        TensorCodec.requireConsistent(LlmTensors.IMAGE_EMBEDS, TensorDatatype.FP32, shape, data);
        return new Tensor(LlmTensors.IMAGE_EMBEDS, TensorDatatype.FP32.name(), shape, data);
    }

    private static long[] queryAndWidth(Tensor output) {
        long[] shape = output.shape();
        boolean unbatched = shape.length == 2;
        boolean singleBatch = shape.length == 3 && shape[0] == 1;
        if (output.type() != TensorDatatype.FP32 || !(unbatched || singleBatch)) {
            throw new IllegalArgumentException("expected an FP32 [Q, D] or [1, Q, D] image embedding, got " + output);
        }
        return new long[] {shape[shape.length - 2], shape[shape.length - 1]};
    }
}
