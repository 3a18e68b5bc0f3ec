package io.xcomposer.comprehension.config;

import io.xcomposer.common.error.ApiException;
import io.xcomposer.inference.client.image.ImageLimits;
import io.xcomposer.inference.client.image.ImagePreprocessor;
import java.util.function.Function;
import org.jspecify.annotations.Nullable;

/**
 * The {@link ModelSpecs} once they have been read from the model server. They are read in the background when the
 * server first answers ready ({@code ModelConfiguration}), not at start-up, so the service starts, serves liveness
 * and reports not-ready while the server is missing; until then whatever needs them answers 503.
 */
public final class ModelSpecsSource {

    private final Function<ModelSpecs, ImagePreprocessor> preprocessors;

    private volatile @Nullable Loaded loaded;

    ModelSpecsSource(Function<ModelSpecs, ImagePreprocessor> preprocessors) {
        this.preprocessors = preprocessors;
    }

    /** Specs known from the start, for tests of the classes that read them. */
    public static ModelSpecsSource of(ModelSpecs specs) {
        ModelSpecsSource source =
                new ModelSpecsSource(fixed -> new ImagePreprocessor(fixed.vision(), ImageLimits.defaults()));
        source.set(specs);
        return source;
    }

    /** The specs; 503 {@code model_server_unavailable} until they have been read. */
    public ModelSpecs get() {
        return loaded().specs();
    }

    /** The image preprocessing of the vision encoder; 503 like {@link #get()}. */
    public ImagePreprocessor preprocessor() {
        return loaded().preprocessor();
    }

    void set(ModelSpecs specs) {
        this.loaded = new Loaded(specs, this.preprocessors.apply(specs));
    }

    private Loaded loaded() {
        Loaded current = this.loaded;
        if (current == null) {
            throw ApiException.unavailable(
                    ModelConfiguration.NOT_LOADED_RETRY_AFTER,
                    "model_server_unavailable",
                    "The model server has not been reachable since this service started; retry later.");
        }
        return current;
    }

    private record Loaded(ModelSpecs specs, ImagePreprocessor preprocessor) {}
}
