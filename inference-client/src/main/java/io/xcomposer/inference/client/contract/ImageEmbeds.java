package io.xcomposer.inference.client.contract;

import io.xcomposer.inference.client.tensor.Tensor;
import io.xcomposer.inference.client.tensor.TensorCodec;
import io.xcomposer.inference.client.tensor.TensorDatatype;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.util.List;

/**
 * The tensor that links the two models: the {@code vision_encoder} returns FP32 {@code [Q, D]} per image (Q image
 * tokens including the start/end flags, D the decoder width), the {@code llm} takes them stacked as
 * {@code [N, Q, D]}, one block per image placeholder, in order. The shape rules live here only; violations are
 * {@link IllegalArgumentException}s, which the server turns into INVALID_ARGUMENT.
 */
public final class ImageEmbeds {

    /** Output of {@code vision_encoder}, optional input of {@code llm}. */
    public static final String NAME = "image_embeds";

    /** Parameter of both models: Q. */
    public static final String TOKENS_PARAMETER = "image_tokens";

    /** Parameter of both models: D. */
    public static final String WIDTH_PARAMETER = "hidden_size";

    private ImageEmbeds() {}

    /** The shape of an llm request's {@code image_embeds}: FP32, rank 3, named {@link #NAME}. */
    public static void requireStacked(Tensor tensor) {
        if (!NAME.equals(tensor.name()) || tensor.type() != TensorDatatype.FP32 || tensor.shape().length != 3) {
            throw new IllegalArgumentException(
                    "image_embeds must be an FP32 [N,Q,D] tensor named '" + NAME + "', got " + tensor);
        }
    }

    /** The width rule: stacked rows must be as wide as the decoder ({@code hidden_size}). */
    public static void requireWidth(Tensor stacked, int hiddenSize) {
        long width = stacked.shape()[2];
        if (width != hiddenSize) {
            throw new IllegalArgumentException(
                    "image_embeds rows have width " + width + ", model hidden_size is " + hiddenSize);
        }
    }

    /**
     * Stacks vision_encoder outputs (each FP32 {@code [Q, D]}, or {@code [1, Q, D]} from a batching encoder) into
     * the llm's {@code [N, Q, D]}, in the order the placeholders appear in the prompt.
     */
    public static Tensor stack(List<Tensor> encoderOutputs) {
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
        TensorCodec.requireConsistent(NAME, TensorDatatype.FP32, shape, data);
        return new Tensor(NAME, TensorDatatype.FP32.name(), shape, data);
    }

    /** The {@code [Q, D]} of one encoder output, {@code [Q, D]} or {@code [1, Q, D]}. */
    public static long[] queryAndWidth(Tensor encoderOutput) {
        long[] shape = encoderOutput.shape();
        boolean unbatched = shape.length == 2;
        boolean singleBatch = shape.length == 3 && shape[0] == 1;
        if (encoderOutput.type() != TensorDatatype.FP32 || !(unbatched || singleBatch)) {
            throw new IllegalArgumentException(
                    "expected an FP32 [Q, D] or [1, Q, D] image embedding, got " + encoderOutput);
        }
        return new long[] {shape[shape.length - 2], shape[shape.length - 1]};
    }
}
