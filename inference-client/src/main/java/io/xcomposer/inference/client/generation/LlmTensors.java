package io.xcomposer.inference.client.generation;

import io.xcomposer.inference.client.contract.LlmContract;
import io.xcomposer.inference.client.tensor.Tensor;
import io.xcomposer.inference.client.tensor.TensorCodec;
import io.xcomposer.inference.grpc.InferParameter;
import io.xcomposer.inference.grpc.ModelInferRequest;
import io.xcomposer.inference.grpc.ModelInferResponse;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * The mapping between {@link GenerationRequest} / {@link GenerationChunk} and protocol messages, with the names of
 * {@link LlmContract}.
 */
public final class LlmTensors {

    private static final long[] SCALAR = {1};

    private LlmTensors() {}

    /** The one ModelStreamInfer request of a generation; optional inputs are present only when set. */
    public static ModelInferRequest toInferRequest(GenerationRequest request) {
        List<Tensor> inputs = new ArrayList<>();
        inputs.add(Tensor.strings(LlmContract.TEXT_INPUT, SCALAR, List.of(request.prompt())));
        if (request.imageEmbeds() != null) {
            inputs.add(request.imageEmbeds());
        }
        SamplingParams sampling = request.sampling();
        if (sampling.maxTokens() != null) {
            inputs.add(Tensor.int32(LlmContract.MAX_TOKENS, SCALAR, new int[] {sampling.maxTokens()}));
        }
        if (sampling.temperature() != null) {
            inputs.add(Tensor.fp32(LlmContract.TEMPERATURE, SCALAR, new float[] {sampling.temperature()}));
        }
        if (sampling.topP() != null) {
            inputs.add(Tensor.fp32(LlmContract.TOP_P, SCALAR, new float[] {sampling.topP()}));
        }
        if (sampling.topK() != null) {
            inputs.add(Tensor.int32(LlmContract.TOP_K, SCALAR, new int[] {sampling.topK()}));
        }
        if (sampling.repetitionPenalty() != null) {
            inputs.add(Tensor.fp32(LlmContract.REPETITION_PENALTY, SCALAR, new float[] {sampling.repetitionPenalty()}));
        }
        if (sampling.seed() != null) {
            inputs.add(Tensor.int64(LlmContract.SEED, SCALAR, new long[] {sampling.seed()}));
        }
        if (sampling.numBeams() != null) {
            inputs.add(Tensor.int32(LlmContract.NUM_BEAMS, SCALAR, new int[] {sampling.numBeams()}));
        }
        if (sampling.lengthPenalty() != null) {
            inputs.add(Tensor.fp32(LlmContract.LENGTH_PENALTY, SCALAR, new float[] {sampling.lengthPenalty()}));
        }
        if (!sampling.stop().isEmpty()) {
            inputs.add(Tensor.strings(
                    LlmContract.STOP_WORDS, new long[] {sampling.stop().size()}, sampling.stop()));
        }
        ModelInferRequest.Builder message = ModelInferRequest.newBuilder()
                .setModelName(request.model())
                .putParameters(
                        LlmContract.ENABLE_EMPTY_FINAL_RESPONSE_PARAMETER,
                        InferParameter.newBuilder().setBoolParam(true).build());
        if (request.requestId() != null) {
            message.setId(request.requestId());
        }
        TensorCodec.addInputs(message, inputs);
        return message.build();
    }

    /**
     * Maps one streamed response. An empty final response (no outputs) becomes a last chunk with empty text; the
     * final-only outputs are read only when present.
     */
    public static GenerationChunk toChunk(ModelInferResponse response) {
        Map<String, Tensor> outputs = TensorCodec.readOutputs(response);
        InferParameter finalFlag = response.getParametersMap().get(LlmContract.FINAL_RESPONSE_PARAMETER);
        boolean last = finalFlag != null && finalFlag.getBoolParam();
        return new GenerationChunk(
                firstString(outputs.get(LlmContract.TEXT_OUTPUT), ""),
                last,
                last ? firstString(outputs.get(LlmContract.FINISH_REASON), null) : null,
                last ? firstInt(outputs.get(LlmContract.PROMPT_TOKENS)) : null,
                last ? firstInt(outputs.get(LlmContract.COMPLETION_TOKENS)) : null,
                response.getId().isEmpty() ? null : response.getId());
    }

    private static @Nullable String firstString(@Nullable Tensor tensor, @Nullable String absent) {
        if (tensor == null || tensor.elementCount() == 0) {
            return absent;
        }
        return tensor.asStrings().get(0);
    }

    private static @Nullable Integer firstInt(@Nullable Tensor tensor) {
        if (tensor == null || tensor.elementCount() == 0) {
            return null;
        }
        return tensor.asInts()[0];
    }
}
