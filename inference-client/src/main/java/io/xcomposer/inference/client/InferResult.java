package io.xcomposer.inference.client;

import io.xcomposer.inference.client.tensor.Tensor;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The answer to a ModelInfer call.
 *
 * @param outputs output tensors by name, in response order
 * @param parameters response parameters as plain Java values
 */
public record InferResult(
        String model, String version, String id, Map<String, Tensor> outputs, Map<String, Object> parameters) {

    public InferResult {
        outputs = Collections.unmodifiableMap(new LinkedHashMap<>(outputs));
        parameters = Collections.unmodifiableMap(new LinkedHashMap<>(parameters));
    }

    /** The named output; fails naming what the server did send when it is missing. */
    public Tensor output(String name) {
        Tensor tensor = this.outputs.get(name);
        if (tensor == null) {
            throw new IllegalStateException(
                    "model '" + this.model + "' returned no output '" + name + "', only " + this.outputs.keySet());
        }
        return tensor;
    }
}
