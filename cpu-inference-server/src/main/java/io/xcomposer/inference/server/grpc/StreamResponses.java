package io.xcomposer.inference.server.grpc;

import io.xcomposer.inference.client.contract.LlmContract;
import io.xcomposer.inference.client.generation.LlmTensors;
import io.xcomposer.inference.client.generation.TokenLogprob;
import io.xcomposer.inference.client.tensor.Tensor;
import io.xcomposer.inference.client.tensor.TensorCodec;
import io.xcomposer.inference.grpc.InferParameter;
import io.xcomposer.inference.grpc.ModelInferRequest;
import io.xcomposer.inference.grpc.ModelInferResponse;
import io.xcomposer.inference.grpc.ModelStreamInferResponse;
import io.xcomposer.inference.server.generation.FinishReason;
import java.util.ArrayList;
import java.util.List;

/** Builds the ModelStreamInfer responses of the llm contract (docs/model-contract.md, "Streaming rules"). */
final class StreamResponses {

    static final String FINAL_RESPONSE = LlmContract.FINAL_RESPONSE_PARAMETER;
    private static final long[] SCALAR = {1};

    private StreamResponses() {}

    static ModelStreamInferResponse textDelta(
            ModelInferRequest request, String version, String text, List<TokenLogprob> logprobs) {
        ModelInferResponse.Builder response = header(request, version, false);
        List<Tensor> outputs = new ArrayList<>();
        outputs.add(string(LlmContract.TEXT_OUTPUT, text));
        outputs.addAll(LlmTensors.logprobOutputs(logprobs));
        TensorCodec.addOutputs(response, outputs);
        return ModelStreamInferResponse.newBuilder().setInferResponse(response).build();
    }

    static ModelStreamInferResponse finished(
            ModelInferRequest request,
            String version,
            String text,
            List<TokenLogprob> logprobs,
            FinishReason reason,
            int promptTokens,
            int completionTokens) {
        ModelInferResponse.Builder response = header(request, version, true);
        List<Tensor> outputs = new ArrayList<>(List.of(
                string(LlmContract.TEXT_OUTPUT, text),
                string(LlmContract.FINISH_REASON, reason.wireValue()),
                Tensor.int32(LlmContract.PROMPT_TOKENS, SCALAR, new int[] {promptTokens}),
                Tensor.int32(LlmContract.COMPLETION_TOKENS, SCALAR, new int[] {completionTokens})));
        outputs.addAll(LlmTensors.logprobOutputs(logprobs));
        TensorCodec.addOutputs(response, outputs);
        return ModelStreamInferResponse.newBuilder().setInferResponse(response).build();
    }

    /** A unary model's answer on the stream: its one response is also its final one. */
    static ModelStreamInferResponse unary(ModelInferResponse response) {
        return ModelStreamInferResponse.newBuilder()
                .setInferResponse(response.toBuilder().putParameters(FINAL_RESPONSE, flag(true)))
                .build();
    }

    /** Triton's error form on streams: message plus the request's id, name and version; the stream stays open. */
    static ModelStreamInferResponse error(ModelInferRequest request, String message) {
        return ModelStreamInferResponse.newBuilder()
                .setErrorMessage(message)
                .setInferResponse(ModelInferResponse.newBuilder()
                        .setId(request.getId())
                        .setModelName(request.getModelName())
                        .setModelVersion(request.getModelVersion()))
                .build();
    }

    private static ModelInferResponse.Builder header(ModelInferRequest request, String version, boolean last) {
        return ModelInferResponse.newBuilder()
                .setModelName(request.getModelName())
                .setModelVersion(version)
                .setId(request.getId())
                .putParameters(FINAL_RESPONSE, flag(last));
    }

    private static Tensor string(String name, String text) {
        return Tensor.strings(name, SCALAR, List.of(text));
    }

    private static InferParameter flag(boolean value) {
        return InferParameter.newBuilder().setBoolParam(value).build();
    }
}
