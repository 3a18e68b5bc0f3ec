package io.xcomposer.inference.client;

import io.xcomposer.inference.client.tensor.Tensor;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * One unary ModelInfer call.
 *
 * @param model model name
 * @param version model version; null or empty means the latest
 * @param id request id, echoed by the server and sent as {@code x-request-id}; null sends neither
 * @param inputs input tensors, shapes including the batch dimension when the model batches
 * @param requestedOutputs outputs to return; empty returns all
 * @param parameters request parameters (Boolean, Integer/Long, Float/Double or String values)
 * @param deadline overrides the client's unary deadline; null keeps it
 */
public record InferRequest(
        String model,
        @Nullable String version,
        @Nullable String id,
        List<Tensor> inputs,
        List<String> requestedOutputs,
        Map<String, Object> parameters,
        @Nullable Duration deadline) {

    public InferRequest {
        Objects.requireNonNull(model, "model");
        inputs = List.copyOf(inputs);
        requestedOutputs = List.copyOf(requestedOutputs);
        parameters = Map.copyOf(parameters);
    }

    /** Latest version, no id, all outputs, no parameters, default deadline. */
    public static InferRequest of(String model, List<Tensor> inputs) {
        return new InferRequest(model, null, null, inputs, List.of(), Map.of(), null);
    }
}
