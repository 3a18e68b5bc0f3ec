package io.xcomposer.inference.server.tensor;

import io.xcomposer.inference.client.tensor.Tensor;
import io.xcomposer.inference.client.tensor.TensorDatatype;
import io.xcomposer.inference.client.tensor.TensorFormatException;
import io.xcomposer.inference.client.tensor.TensorShapes;
import io.xcomposer.inference.grpc.ModelConfig;
import io.xcomposer.inference.grpc.ModelInput;
import io.xcomposer.inference.server.InferenceException;
import java.util.Map;

/**
 * Checks request tensors against a model's config the way Triton does: names, required inputs, datatype and shape
 * (with the batch dimension when {@code max_batch_size > 0}, {@code -1} as wildcard). Byte lengths were checked
 * when the tensors were read ({@link RequestInputs}).
 */
public final class InputValidator {

    private InputValidator() {}

    /** @return the request's batch size; 1 for a model without a batch dimension. */
    public static long validate(ModelConfig config, Map<String, Tensor> inputs) {
        for (String name : inputs.keySet()) {
            if (config.getInputList().stream()
                    .noneMatch(input -> input.getName().equals(name))) {
                throw InferenceException.invalidArgument(
                        "unexpected inference input '" + name + "' for model '" + config.getName() + "'");
            }
        }
        long batch = -1;
        for (ModelInput expected : config.getInputList()) {
            Tensor tensor = inputs.get(expected.getName());
            if (tensor == null) {
                if (expected.getOptional()) {
                    continue;
                }
                throw InferenceException.invalidArgument(
                        "missing input '" + expected.getName() + "' for model '" + config.getName() + "'");
            }
            TensorDatatype expectedType = TensorDatatype.fromConfig(expected.getDataType());
            if (tensor.type() != expectedType) {
                throw InferenceException.invalidArgument("input '" + tensor.name() + "' has datatype "
                        + tensor.datatype() + ", model expects " + expectedType.name());
            }
            long tensorBatch = batchSize(config, expected, tensor);
            if (batch >= 0 && tensorBatch != batch) {
                throw InferenceException.invalidArgument(
                        "input '" + tensor.name() + "' has batch size " + tensorBatch + ", other inputs have " + batch);
            }
            batch = tensorBatch;
        }
        return Math.max(batch, 1);
    }

    private static long batchSize(ModelConfig config, ModelInput expected, Tensor tensor) {
        long[] dims = expected.getDimsList().stream().mapToLong(Long::longValue).toArray();
        try {
            return TensorShapes.requireCompatible(tensor.name(), tensor.shape(), dims, config.getMaxBatchSize());
        } catch (TensorFormatException e) {
            throw InferenceException.invalidArgument(e.getMessage());
        }
    }
}
