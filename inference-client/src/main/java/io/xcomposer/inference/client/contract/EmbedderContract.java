package io.xcomposer.inference.client.contract;

import static io.xcomposer.inference.client.contract.TensorSpec.required;
import static io.xcomposer.inference.client.tensor.TensorDatatype.BYTES;
import static io.xcomposer.inference.client.tensor.TensorDatatype.FP32;

import java.util.List;

/** The retrieval pair {@code image_embedder} / {@code text_embedder} (CLIP-style, L2-normalised embeddings). */
public final class EmbedderContract {

    public static final String IMAGE_MODEL = "image_embedder";
    public static final String TEXT_MODEL = "text_embedder";

    public static final String PIXEL_VALUES = VisionContract.PIXEL_VALUES;
    public static final String TEXT = "text";
    public static final String EMBEDDING = "embedding";

    public static final String EMBEDDING_DIM = "embedding_dim";
    public static final String MAX_TEXT_TOKENS = "max_text_tokens";
    public static final String TOKENIZER = LlmContract.TOKENIZER;

    public static final List<TensorSpec> IMAGE_INPUTS =
            List.of(required(PIXEL_VALUES, FP32, "3", VisionContract.IMAGE_SIZE, VisionContract.IMAGE_SIZE));
    public static final List<TensorSpec> TEXT_INPUTS = List.of(required(TEXT, BYTES, "1"));
    public static final List<TensorSpec> OUTPUTS = List.of(required(EMBEDDING, FP32, EMBEDDING_DIM));

    private EmbedderContract() {}
}
