package io.xcomposer.inference.client.model;

import io.xcomposer.inference.client.contract.EmbedderContract;
import io.xcomposer.inference.client.contract.VisionContract;
import io.xcomposer.inference.grpc.ModelConfig;
import org.jspecify.annotations.Nullable;

/**
 * An embedder of the retrieval space ({@code image_embedder} or {@code text_embedder}).
 *
 * @param embeddingDim E, length of the L2-normalised embedding
 * @param vision image preprocessing; null for {@code text_embedder}
 */
public record EmbedderSpec(int embeddingDim, @Nullable VisionSpec vision) {

    /** The image preprocessing keys are read when the config has {@code image_size}. */
    public static EmbedderSpec fromConfig(ModelConfig config) {
        ModelDescription description = ModelDescription.of(config);
        VisionSpec vision =
                description.has(VisionContract.IMAGE_SIZE) ? VisionSpec.preprocessingFrom(description) : null;
        return new EmbedderSpec(description.requireInt(EmbedderContract.EMBEDDING_DIM), vision);
    }
}
