package io.xcomposer.evaluation;

import io.xcomposer.inference.client.InferRequest;
import io.xcomposer.inference.client.InferResult;
import io.xcomposer.inference.client.TritonClient;
import io.xcomposer.inference.client.contract.EmbedderContract;
import io.xcomposer.inference.client.contract.ImageEmbeds;
import io.xcomposer.inference.client.contract.LlmContract;
import io.xcomposer.inference.client.contract.VisionContract;
import io.xcomposer.inference.client.generation.GenerationChunk;
import io.xcomposer.inference.client.generation.GenerationRequest;
import io.xcomposer.inference.client.generation.SamplingParams;
import io.xcomposer.inference.client.image.ImageLimits;
import io.xcomposer.inference.client.image.ImagePreprocessor;
import io.xcomposer.inference.client.image.PreprocessedImage;
import io.xcomposer.inference.client.model.EmbedderSpec;
import io.xcomposer.inference.client.model.LlmSpec;
import io.xcomposer.inference.client.tensor.Tensor;
import io.xcomposer.inference.client.vision.VisionEncoder;
import io.xcomposer.inference.client.vision.VisionModel;
import io.xcomposer.inference.grpc.ModelConfig;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

/**
 * The tiny model as a service sees it: every call goes through {@link TritonClient}, and every number (image size,
 * normalisation, batch limits, stop strings) comes from the served model configs, as in production.
 */
public final class ServedModel {

    static final String VISION_ENCODER = VisionContract.MODEL;
    static final String LLM = LlmContract.MODEL;
    static final String IMAGE_EMBEDDER = EmbedderContract.IMAGE_MODEL;
    static final String TEXT_EMBEDDER = EmbedderContract.TEXT_MODEL;

    private final TritonClient client;
    private final Duration timeout;
    private final VisionEncoder visionEncoder;
    private final VisionModel vision;
    private final ImagePreprocessor embedderPreprocessor;
    private final int imageEmbedderMaxBatch;
    private final int textEmbedderMaxBatch;
    private final LlmSpec llm;

    /** Reads the four model configs from the server. {@code timeout} bounds every single call. */
    public ServedModel(TritonClient client, Duration timeout) {
        this.client = client;
        this.timeout = timeout;
        this.visionEncoder = new VisionEncoder(client, VISION_ENCODER, timeout);
        this.vision = VisionModel.fromConfig(config(VISION_ENCODER), ImageLimits.defaults());
        ModelConfig imageEmbedder = config(IMAGE_EMBEDDER);
        this.embedderPreprocessor =
                new ImagePreprocessor(EmbedderSpec.fromConfig(imageEmbedder).vision(), ImageLimits.defaults());
        this.imageEmbedderMaxBatch = imageEmbedder.getMaxBatchSize();
        this.textEmbedderMaxBatch = config(TEXT_EMBEDDER).getMaxBatchSize();
        this.llm = LlmSpec.fromConfig(config(LLM));
    }

    public LlmSpec llm() {
        return llm;
    }

    /** vision_encoder over the images, in batches of its max_batch_size: one {@code [Q, D]} tensor per image. */
    public List<Tensor> encodeImages(List<byte[]> images) {
        List<PreprocessedImage> pixels =
                images.stream().map(vision.preprocessor()::preprocess).toList();
        return visionEncoder
                .encode(pixels, vision.maxBatchSize(), null)
                .block(timeout.multipliedBy(Math.max(1, images.size())).plusSeconds(5));
    }

    /** Greedy decoding with the model's own stop strings (the server always applies them). */
    public Generation generate(String prompt, List<Tensor> imageEmbeds, int maxTokens) {
        Tensor stacked = imageEmbeds.isEmpty() ? null : ImageEmbeds.stack(imageEmbeds);
        GenerationRequest request =
                new GenerationRequest(LLM, prompt, stacked, SamplingParams.greedy(maxTokens), null, timeout);
        StringBuilder text = new StringBuilder();
        GenerationChunk last = client.generate(request)
                .doOnNext(chunk -> text.append(chunk.textDelta()))
                .timeout(timeout)
                .blockLast();
        if (last == null || !last.last()) {
            throw new IllegalStateException("generation ended without a final response");
        }
        return new Generation(text.toString(), last.finishReason(), last.promptTokens(), last.completionTokens());
    }

    /** image_embedder embeddings (L2-normalised), one per image, in order. */
    public List<float[]> embedImages(List<byte[]> images) {
        return batched(
                        images,
                        imageEmbedderMaxBatch,
                        IMAGE_EMBEDDER,
                        EmbedderContract.PIXEL_VALUES,
                        EmbedderContract.EMBEDDING,
                        embedderPreprocessor)
                .stream()
                .map(Tensor::asFloats)
                .toList();
    }

    /** text_embedder embeddings (L2-normalised), one per text, in order. */
    public List<float[]> embedTexts(List<String> texts) {
        List<float[]> embeddings = new ArrayList<>();
        for (int start = 0; start < texts.size(); start += textEmbedderMaxBatch) {
            List<String> batch = texts.subList(start, Math.min(texts.size(), start + textEmbedderMaxBatch));
            Tensor input = Tensor.strings(EmbedderContract.TEXT, new long[] {batch.size(), 1}, batch);
            embeddings.addAll(rows(infer(TEXT_EMBEDDER, input).output(EmbedderContract.EMBEDDING)));
        }
        return embeddings;
    }

    private List<Tensor> batched(
            List<byte[]> images,
            int maxBatch,
            String model,
            String input,
            String output,
            ImagePreprocessor preprocessor) {
        List<Tensor> results = new ArrayList<>();
        int size = -1;
        for (int start = 0; start < images.size(); start += maxBatch) {
            List<byte[]> batch = images.subList(start, Math.min(images.size(), start + maxBatch));
            List<float[]> pixels = new ArrayList<>();
            for (byte[] image : batch) {
                PreprocessedImage preprocessed = preprocessor.preprocess(image);
                size = preprocessed.size();
                pixels.add(preprocessed.pixels());
            }
            Tensor stacked = Tensor.fp32(input, new long[] {batch.size(), 3, size, size}, concat(pixels));
            Tensor out = infer(model, stacked).output(output);
            results.addAll(split(out));
        }
        return results;
    }

    private InferResult infer(String model, Tensor input) {
        return client.infer(new InferRequest(model, null, null, List.of(input), List.of(), Map.of(), timeout))
                .block(timeout.plusSeconds(5));
    }

    private ModelConfig config(String model) {
        return client.modelConfig(model).block(timeout);
    }

    /** Splits a batched {@code [B, ...]} output into B tensors of shape {@code [...]}. */
    private static List<Tensor> split(Tensor batched) {
        long[] shape = batched.shape();
        long[] rowShape = Arrays.copyOfRange(shape, 1, shape.length);
        float[] values = batched.asFloats();
        int rowLength = values.length / (int) shape[0];
        List<Tensor> rows = new ArrayList<>();
        for (int b = 0; b < shape[0]; b++) {
            rows.add(Tensor.fp32(
                    batched.name(), rowShape, Arrays.copyOfRange(values, b * rowLength, (b + 1) * rowLength)));
        }
        return rows;
    }

    private static List<float[]> rows(Tensor batched) {
        return split(batched).stream().map(Tensor::asFloats).toList();
    }

    private static float[] concat(List<float[]> arrays) {
        int length = arrays.stream().mapToInt(a -> a.length).sum();
        float[] all = new float[length];
        int offset = 0;
        for (float[] array : arrays) {
            System.arraycopy(array, 0, all, offset, array.length);
            offset += array.length;
        }
        return all;
    }
}
