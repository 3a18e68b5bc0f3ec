package io.xcomposer.inference.client.vision;

import io.xcomposer.inference.client.InferRequest;
import io.xcomposer.inference.client.TritonClient;
import io.xcomposer.inference.client.contract.ImageEmbeds;
import io.xcomposer.inference.client.contract.VisionContract;
import io.xcomposer.inference.client.image.PreprocessedImage;
import io.xcomposer.inference.client.tensor.Tensor;
import io.xcomposer.inference.client.tensor.TensorShapes;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.jspecify.annotations.Nullable;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * Preprocessed pixels → {@code image_embeds} through the {@code vision_encoder} (docs/model-contract.md): one FP32
 * {@code [Q, D]} tensor per image, in order, ready for {@link ImageEmbeds#stack(List)}. Images go in calls of at
 * most the model's {@code max_batch_size} (one image per call when it does not batch).
 */
public final class VisionEncoder {

    private final TritonClient client;

    private final String model;

    private final @Nullable Duration deadline;

    /**
     * @param model the vision encoder's name, normally {@link VisionContract#MODEL}
     * @param deadline per call; null keeps the client's unary deadline
     */
    public VisionEncoder(TritonClient client, String model, @Nullable Duration deadline) {
        this.client = client;
        this.model = model;
        this.deadline = deadline;
    }

    /** The {@code [Q, D]} embeddings of one image. */
    public Mono<Tensor> encode(PreprocessedImage image, int maxBatchSize, @Nullable String requestId) {
        return encode(List.of(image), maxBatchSize, requestId).map(embeds -> embeds.get(0));
    }

    /** The {@code [Q, D]} embeddings of each image, in order. */
    public Mono<List<Tensor>> encode(List<PreprocessedImage> images, int maxBatchSize, @Nullable String requestId) {
        int perCall = Math.max(maxBatchSize, 1);
        List<List<PreprocessedImage>> calls = new ArrayList<>();
        for (int start = 0; start < images.size(); start += perCall) {
            calls.add(images.subList(start, Math.min(images.size(), start + perCall)));
        }
        return Flux.fromIterable(calls)
                .concatMap(batch -> call(batch, maxBatchSize, requestId))
                .flatMapIterable(embeds -> embeds)
                .collectList();
    }

    private Mono<List<Tensor>> call(List<PreprocessedImage> batch, int maxBatchSize, @Nullable String requestId) {
        InferRequest request = new InferRequest(
                this.model,
                null,
                requestId,
                List.of(pixels(batch, maxBatchSize)),
                List.of(VisionContract.IMAGE_EMBEDS),
                Map.of(),
                this.deadline);
        return this.client
                .infer(request)
                .map(result -> perImage(result.output(VisionContract.IMAGE_EMBEDS), maxBatchSize > 0, batch.size()));
    }

    private static Tensor pixels(List<PreprocessedImage> batch, int maxBatchSize) {
        int size = batch.get(0).size();
        float[] all = new float[batch.size() * 3 * size * size];
        int offset = 0;
        for (PreprocessedImage image : batch) {
            if (image.size() != size) {
                throw new IllegalArgumentException("images of one call must share their size");
            }
            System.arraycopy(image.pixels(), 0, all, offset, image.pixels().length);
            offset += image.pixels().length;
        }
        long[] dims = TensorShapes.withBatchDimension(new long[] {3, size, size}, maxBatchSize, batch.size());
        return Tensor.fp32(VisionContract.PIXEL_VALUES, dims, all);
    }

    /** Splits a batched {@code [B, Q, D]} output into B tensors {@code [Q, D]}; an unbatched one is one image. */
    private static List<Tensor> perImage(Tensor output, boolean batched, int images) {
        long[] queryAndWidth = batched ? batchedQueryAndWidth(output, images) : ImageEmbeds.queryAndWidth(output);
        if (!batched) {
            return List.of(Tensor.fp32(ImageEmbeds.NAME, queryAndWidth, output.asFloats()));
        }
        float[] values = output.asFloats();
        int perImage = (int) (queryAndWidth[0] * queryAndWidth[1]);
        List<Tensor> embeds = new ArrayList<>(images);
        for (int image = 0; image < images; image++) {
            float[] rows = Arrays.copyOfRange(values, image * perImage, (image + 1) * perImage);
            embeds.add(Tensor.fp32(ImageEmbeds.NAME, queryAndWidth, rows));
        }
        return embeds;
    }

    private static long[] batchedQueryAndWidth(Tensor output, int images) {
        long[] shape = output.shape();
        if (shape.length != 3 || shape[0] != images) {
            throw new IllegalStateException(
                    "vision encoder returned " + output + " for " + images + " images, expected [" + images + ",Q,D]");
        }
        return new long[] {shape[1], shape[2]};
    }
}
