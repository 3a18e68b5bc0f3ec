package io.xcomposer.inference.client.generation;

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
 * The llm's tensor and parameter names (docs/model-contract.md) and the mapping between {@link GenerationRequest} /
 * {@link GenerationChunk} and protocol messages. The CPU server uses the same names to read requests and write
 * responses.
 */
public final class LlmTensors {

    public static final String TEXT_INPUT = "text_input";

    public static final String IMAGE_EMBEDS = "image_embeds";

    public static final String MAX_TOKENS = "max_tokens";

    public static final String TEMPERATURE = "temperature";

    public static final String TOP_P = "top_p";

    public static final String TOP_K = "top_k";

    public static final String REPETITION_PENALTY = "repetition_penalty";

    public static final String SEED = "seed";

    public static final String STOP_WORDS = "stop_words";

    public static final String TEXT_OUTPUT = "text_output";

    public static final String FINISH_REASON = "finish_reason";

    public static final String PROMPT_TOKENS = "prompt_tokens";

    public static final String COMPLETION_TOKENS = "completion_tokens";

    /** Response parameter (bool) that Triton sets to true on exactly the last response of a request. */
    public static final String FINAL_RESPONSE_PARAMETER = "triton_final_response";

    /** Request parameter (must be bool_param) that asks for a final response even when a backend has no output. */
    public static final String ENABLE_EMPTY_FINAL_RESPONSE_PARAMETER = "triton_enable_empty_final_response";

    private static final long[] SCALAR = {1};

    private LlmTensors() {}

    /** The one ModelStreamInfer request of a generation; optional inputs are present only when set. */
    public static ModelInferRequest toInferRequest(GenerationRequest request) {
        List<Tensor> inputs = new ArrayList<>();
        inputs.add(Tensor.strings(TEXT_INPUT, SCALAR, List.of(request.prompt())));
        if (request.imageEmbeds() != null) {
            inputs.add(request.imageEmbeds());
        }
        SamplingParams sampling = request.sampling();
        if (sampling.maxTokens() != null) {
            inputs.add(Tensor.int32(MAX_TOKENS, SCALAR, new int[] {sampling.maxTokens()}));
        }
        if (sampling.temperature() != null) {
            inputs.add(Tensor.fp32(TEMPERATURE, SCALAR, new float[] {sampling.temperature()}));
        }
        if (sampling.topP() != null) {
            inputs.add(Tensor.fp32(TOP_P, SCALAR, new float[] {sampling.topP()}));
        }
        if (sampling.topK() != null) {
            inputs.add(Tensor.int32(TOP_K, SCALAR, new int[] {sampling.topK()}));
        }
        if (sampling.repetitionPenalty() != null) {
            inputs.add(Tensor.fp32(REPETITION_PENALTY, SCALAR, new float[] {sampling.repetitionPenalty()}));
        }
        if (sampling.seed() != null) {
            inputs.add(Tensor.int64(SEED, SCALAR, new long[] {sampling.seed()}));
        }
        if (!sampling.stop().isEmpty()) {
            inputs.add(Tensor.strings(STOP_WORDS, new long[] {sampling.stop().size()}, sampling.stop()));
        }
        ModelInferRequest.Builder message = ModelInferRequest.newBuilder()
                .setModelName(request.model())
                .putParameters(
                        ENABLE_EMPTY_FINAL_RESPONSE_PARAMETER,
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
        InferParameter finalFlag = response.getParametersMap().get(FINAL_RESPONSE_PARAMETER);
        boolean last = finalFlag != null && finalFlag.getBoolParam();
        return new GenerationChunk(
                firstString(outputs.get(TEXT_OUTPUT), ""),
                last,
                last ? firstString(outputs.get(FINISH_REASON), null) : null,
                last ? firstInt(outputs.get(PROMPT_TOKENS)) : null,
                last ? firstInt(outputs.get(COMPLETION_TOKENS)) : null,
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
