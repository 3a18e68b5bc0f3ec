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
        if (sampling.presencePenalty() != null) {
            inputs.add(Tensor.fp32(LlmContract.PRESENCE_PENALTY, SCALAR, new float[] {sampling.presencePenalty()}));
        }
        if (sampling.frequencyPenalty() != null) {
            inputs.add(Tensor.fp32(LlmContract.FREQUENCY_PENALTY, SCALAR, new float[] {sampling.frequencyPenalty()}));
        }
        if (sampling.logprobs() != null) {
            inputs.add(Tensor.int32(LlmContract.LOGPROBS, SCALAR, new int[] {sampling.logprobs()}));
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
                response.getId().isEmpty() ? null : response.getId(),
                logprobs(outputs));
    }

    /** The optional log-probability outputs; absent ones mean none were asked (or none in this response). */
    private static List<TokenLogprob> logprobs(Map<String, Tensor> outputs) {
        Tensor bytes = outputs.get(LlmContract.TOKEN_BYTES);
        Tensor logprobs = outputs.get(LlmContract.TOKEN_LOGPROBS);
        if (bytes == null || logprobs == null) {
            return List.of();
        }
        List<byte[]> tokens = bytes.asBytesList();
        float[] values = logprobs.asFloats();
        Tensor topBytes = outputs.get(LlmContract.TOP_TOKEN_BYTES);
        Tensor topValues = outputs.get(LlmContract.TOP_LOGPROBS);
        int alternatives = topBytes == null || topValues == null ? 0 : (int) topBytes.shape()[1];
        List<byte[]> alternativeBytes = alternatives == 0 ? List.of() : topBytes.asBytesList();
        float[] alternativeValues = alternatives == 0 ? new float[0] : topValues.asFloats();
        List<TokenLogprob> result = new ArrayList<>(tokens.size());
        for (int i = 0; i < tokens.size(); i++) {
            List<TokenLogprob.Alternative> top = new ArrayList<>(alternatives);
            for (int k = 0; k < alternatives; k++) {
                int at = i * alternatives + k;
                top.add(new TokenLogprob.Alternative(alternativeBytes.get(at), alternativeValues[at]));
            }
            result.add(new TokenLogprob(tokens.get(i), values[i], top));
        }
        return result;
    }

    /** The optional log-probability outputs of a response: none, the chosen tokens, or those and alternatives. */
    public static List<Tensor> logprobOutputs(List<TokenLogprob> logprobs) {
        if (logprobs.isEmpty()) {
            return List.of();
        }
        int count = logprobs.size();
        List<byte[]> bytes = new ArrayList<>(count);
        float[] values = new float[count];
        int alternatives = logprobs.get(0).top().size();
        List<byte[]> topBytes = new ArrayList<>(count * alternatives);
        float[] topValues = new float[count * alternatives];
        for (int i = 0; i < count; i++) {
            TokenLogprob token = logprobs.get(i);
            bytes.add(token.bytes());
            values[i] = token.logprob();
            for (int k = 0; k < alternatives; k++) {
                topBytes.add(token.top().get(k).bytes());
                topValues[i * alternatives + k] = token.top().get(k).logprob();
            }
        }
        List<Tensor> tensors = new ArrayList<>(4);
        tensors.add(Tensor.bytes(LlmContract.TOKEN_BYTES, new long[] {count}, bytes));
        tensors.add(Tensor.fp32(LlmContract.TOKEN_LOGPROBS, new long[] {count}, values));
        if (alternatives > 0) {
            long[] shape = {count, alternatives};
            tensors.add(Tensor.bytes(LlmContract.TOP_TOKEN_BYTES, shape, topBytes));
            tensors.add(Tensor.fp32(LlmContract.TOP_LOGPROBS, shape, topValues));
        }
        return tensors;
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
