package io.xcomposer.inference.server.tensor;

import io.xcomposer.inference.client.tensor.Tensor;
import io.xcomposer.inference.client.tensor.TensorCodec;
import io.xcomposer.inference.client.tensor.TensorFormatException;
import io.xcomposer.inference.grpc.ModelInferRequest;
import io.xcomposer.inference.server.InferenceException;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Reads a request's inputs with the shared {@link TensorCodec} (raw or typed contents). The codec already rejects
 * data whose byte length does not match the shape; that and an unknown datatype become INVALID_ARGUMENT.
 */
public final class RequestInputs {

    private RequestInputs() {}

    public static Map<String, Tensor> read(ModelInferRequest request) {
        Map<String, Tensor> inputs = new LinkedHashMap<>();
        try {
            for (Tensor tensor : TensorCodec.readInputs(request)) {
                if (inputs.put(tensor.name(), tensor) != null) {
                    throw InferenceException.invalidArgument("input '" + tensor.name() + "' is given twice");
                }
            }
        } catch (TensorFormatException e) {
            throw InferenceException.invalidArgument(e.getMessage());
        }
        return inputs;
    }
}
