package io.xcomposer.inference.client.contract;

import io.xcomposer.inference.client.model.ModelDescription;
import io.xcomposer.inference.client.tensor.TensorDatatype;
import java.util.List;

/**
 * One tensor a contract model declares in its {@code config.pbtxt}.
 *
 * @param dims the dims without the batch dimension, each an integer ({@code -1} = any) or the key of an integer
 * parameter of the same model (e.g. {@code image_tokens}), so that one spec describes the tiny and the 7B model
 * @param optional whether requests may leave the input out; outputs are never optional
 */
public record TensorSpec(String name, TensorDatatype type, List<String> dims, boolean optional) {

    public TensorSpec {
        dims = List.copyOf(dims);
    }

    static TensorSpec required(String name, TensorDatatype type, String... dims) {
        return new TensorSpec(name, type, List.of(dims), false);
    }

    static TensorSpec optional(String name, TensorDatatype type, String... dims) {
        return new TensorSpec(name, type, List.of(dims), true);
    }

    /** The dims with parameter keys replaced by the model's values. */
    public List<Long> resolveDims(ModelDescription model) {
        return this.dims.stream()
                .map(dim -> isNumber(dim) ? Long.parseLong(dim) : (long) model.requireInt(dim))
                .toList();
    }

    private static boolean isNumber(String dim) {
        return dim.matches("-?\\d+");
    }
}
