package io.xcomposer.retrieval.embedding;

import io.xcomposer.common.health.ModelServerWatch;
import io.xcomposer.common.inference.InferenceErrors;
import io.xcomposer.inference.client.InferRequest;
import io.xcomposer.inference.client.TritonClient;
import io.xcomposer.inference.client.image.ImageLimits;
import io.xcomposer.inference.client.image.ImagePreprocessor;
import io.xcomposer.inference.client.image.ImageRejectedException;
import io.xcomposer.inference.client.image.PreprocessedImage;
import io.xcomposer.inference.client.model.EmbedderSpec;
import io.xcomposer.inference.client.model.ModelDescription;
import io.xcomposer.inference.client.tensor.Tensor;
import io.xcomposer.inference.grpc.ModelConfig;
import io.xcomposer.retrieval.catalog.Vectors;
import io.xcomposer.retrieval.config.RetrievalProperties;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.springframework.stereotype.Service;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Schedulers;

/**
 * Embeddings of the retrieval space from the model server: {@code image_embedder} ({@code pixel_values} →
 * {@code embedding}) and {@code text_embedder} ({@code text} → {@code embedding}). Everything the service needs to
 * know (image size, mean/std, dimension, batch limit) is read from the models' configs on first use, so switching
 * tiny ↔ 7B changes only the server address. Inputs are sent in batches of up to {@code embed-batch-size} (capped
 * by the model's {@code max_batch_size}); the server's dynamic batching merges concurrent single requests further.
 */
@Service
public class EmbeddingService {

    private static final String PIXELS = "pixel_values";

    private static final String TEXT = "text";

    private static final String EMBEDDING = "embedding";

    private final TritonClient client;

    private final RetrievalProperties properties;

    private final Mono<ImageModel> imageModel;

    private final Mono<TextModel> textModel;

    public EmbeddingService(TritonClient client, ModelServerWatch modelServer, RetrievalProperties properties) {
        this.client = client;
        this.properties = properties;
        ImageLimits limits = new ImageLimits(properties.maxImageBytes().toBytes(), properties.maxImagePixels());
        // While the watch says the server is not ready, refuse at once (503 model_server_unavailable) rather
        // than try the call and report the failed connection as overload.
        Mono<Void> ready = Mono.fromRunnable(modelServer::requireReady);
        this.imageModel = ready.then(cacheSuccess(client.modelConfig(properties.imageModel())
                .map(config -> {
                    EmbedderSpec spec = EmbedderSpec.fromConfig(config);
                    if (spec.vision() == null) {
                        throw new IllegalStateException(properties.imageModel() + " declares no image_size");
                    }
                    return new ImageModel(
                            spec.embeddingDim(), batchLimit(config), new ImagePreprocessor(spec.vision(), limits));
                })));
        this.textModel = ready.then(cacheSuccess(client.modelConfig(properties.textModel())
                .map(config -> new TextModel(EmbedderSpec.fromConfig(config).embeddingDim(), batchLimit(config)))));
    }

    /** Dimension of the retrieval space (the text embedder's, which the image embedder must share). */
    public Mono<Integer> dimension() {
        return this.textModel.map(TextModel::dimension);
    }

    /** {@link #preprocess(byte[])}, a refusal answered as a client error naming {@code param}. */
    public Mono<PreprocessedImage> preprocess(byte[] bytes, String param) {
        return preprocess(bytes)
                .onErrorMap(ImageRejectedException.class, rejected -> InferenceErrors.rejectedImage(rejected, param));
    }

    /** Decodes, checks and preprocesses untrusted bytes off the event loop; fails with ImageRejectedException. */
    public Mono<PreprocessedImage> preprocess(byte[] bytes) {
        return this.imageModel
                .publishOn(Schedulers.boundedElastic())
                .map(model -> model.preprocessor().preprocess(bytes));
    }

    /** One unit vector per image, in order. */
    public Mono<List<float[]>> embedImages(List<PreprocessedImage> images) {
        if (images.isEmpty()) {
            return Mono.just(List.of());
        }
        return this.imageModel.flatMap(model -> Flux.fromIterable(chunks(images, model.batchLimit()))
                .concatMap(chunk -> infer(this.properties.imageModel(), stackPixels(chunk), model.dimension()))
                .concatMapIterable(vectors -> vectors)
                .collectList());
    }

    /** One unit vector per text, in order. */
    public Mono<List<float[]>> embedTexts(List<String> texts) {
        if (texts.isEmpty()) {
            return Mono.just(List.of());
        }
        return this.textModel.flatMap(model -> Flux.fromIterable(chunks(texts, model.batchLimit()))
                .concatMap(chunk -> infer(
                        this.properties.textModel(),
                        Tensor.strings(TEXT, new long[] {chunk.size(), 1}, chunk),
                        model.dimension()))
                .concatMapIterable(vectors -> vectors)
                .collectList());
    }

    private Mono<List<float[]>> infer(String model, Tensor input, int dimension) {
        return this.client
                .infer(InferRequest.of(model, List.of(input)))
                .map(result -> split(result.output(EMBEDDING).asFloats(), dimension));
    }

    private static Tensor stackPixels(List<PreprocessedImage> images) {
        int size = images.get(0).size();
        int plane = 3 * size * size;
        float[] stacked = new float[images.size() * plane];
        for (int i = 0; i < images.size(); i++) {
            System.arraycopy(images.get(i).pixels(), 0, stacked, i * plane, plane);
        }
        return Tensor.fp32(PIXELS, new long[] {images.size(), 3, size, size}, stacked);
    }

    private static List<float[]> split(float[] flat, int dimension) {
        List<float[]> vectors = new ArrayList<>(flat.length / dimension);
        for (int offset = 0; offset + dimension <= flat.length; offset += dimension) {
            float[] vector = Arrays.copyOfRange(flat, offset, offset + dimension);
            // The contract promises unit vectors; normalising again costs nothing and protects DOT_PRODUCT.
            float[] unit = Vectors.normalised(vector);
            vectors.add(unit == null ? vector : unit);
        }
        return vectors;
    }

    private <T> List<List<T>> chunks(List<T> items, int modelLimit) {
        int size = Math.max(1, Math.min(this.properties.embedBatchSize(), modelLimit));
        List<List<T>> chunks = new ArrayList<>();
        for (int start = 0; start < items.size(); start += size) {
            chunks.add(items.subList(start, Math.min(items.size(), start + size)));
        }
        return chunks;
    }

    private static int batchLimit(ModelConfig config) {
        int max = ModelDescription.of(config).maxBatchSize();
        if (max <= 0) {
            throw new IllegalStateException(config.getName() + " must batch (max_batch_size > 0) for the gallery");
        }
        return max;
    }

    /** Caches the model description once read, but retries after a failure (the server may start later). */
    private static <T> Mono<T> cacheSuccess(Mono<T> source) {
        return source.cache(value -> Duration.ofMillis(Long.MAX_VALUE), error -> Duration.ZERO, () -> Duration.ZERO);
    }

    private record ImageModel(int dimension, int batchLimit, ImagePreprocessor preprocessor) {}

    private record TextModel(int dimension, int batchLimit) {}
}
