package io.xcomposer.deployment;

import static org.assertj.core.api.Assertions.assertThat;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import io.xcomposer.inference.client.InferRequest;
import io.xcomposer.inference.client.TritonClient;
import io.xcomposer.inference.client.TritonClientOptions;
import io.xcomposer.inference.client.tensor.Tensor;
import io.xcomposer.inference.grpc.ModelConfig;
import java.nio.FloatBuffer;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.testcontainers.containers.GenericContainer;
import org.testcontainers.containers.wait.strategy.Wait;
import org.testcontainers.junit.jupiter.Container;
import org.testcontainers.junit.jupiter.Testcontainers;
import org.testcontainers.utility.MountableFile;

/**
 * Real NVIDIA Triton (the CPU build of the stock image, ONNX Runtime backend) serving the tiny repository's pure ONNX
 * models, called through the platform's own client: the wire compatibility that elsewhere rests on the project's
 * own server. The tiny {@code llm} (the project's decoder backend) and {@code text_embedder} (it tokenizes inside
 * the server) need the CPU server and are not loaded. Needs a Docker engine and the image (about 15 GB; override
 * with {@code -Dtriton.image=...}); skipped without Docker.
 */
@Testcontainers(disabledWithoutDocker = true)
class TritonContainerTests {

    private static final String IMAGE = System.getProperty("triton.image", "nvcr.io/nvidia/tritonserver:26.07-py3");

    private static final Path TINY = DeploymentFiles.root().resolve("model-repository/tiny");

    private static final Duration TIMEOUT = Duration.ofSeconds(60);

    @Container
    static final GenericContainer<?> TRITON = new GenericContainer<>(IMAGE)
            .withCopyFileToContainer(
                    MountableFile.forHostPath(TINY.resolve("vision_encoder")), "/models/vision_encoder")
            .withCopyFileToContainer(
                    MountableFile.forHostPath(TINY.resolve("image_embedder")), "/models/image_embedder")
            .withCommand("tritonserver", "--model-repository=/models", "--strict-readiness=true")
            .withExposedPorts(8000, 8001)
            .waitingFor(Wait.forHttp("/v2/health/ready").forPort(8000).withStartupTimeout(Duration.ofMinutes(5)));

    @Test
    void servesTheTinyVisionEncoderBitForBitThroughThePlatformsClient() throws OrtException {
        try (TritonClient client =
                TritonClient.connect(TritonClientOptions.of(TRITON.getHost(), TRITON.getMappedPort(8001)))) {
            assertThat(client.serverReady().block(TIMEOUT)).isTrue();
            assertThat(client.modelReady("vision_encoder").block(TIMEOUT)).isTrue();
            ModelConfig config = client.modelConfig("vision_encoder").block(TIMEOUT);
            assertThat(config.getMaxBatchSize()).isEqualTo(16);

            float[] pixels = pixels(7);
            Tensor embeds = client.infer(InferRequest.of(
                            "vision_encoder", List.of(Tensor.fp32("pixel_values", new long[] {1, 3, 64, 64}, pixels))))
                    .block(TIMEOUT)
                    .output("image_embeds");
            assertThat(embeds.asFloats()).containsExactly(direct("vision_encoder", pixels));

            Tensor embedding = client.infer(InferRequest.of(
                            "image_embedder", List.of(Tensor.fp32("pixel_values", new long[] {1, 3, 64, 64}, pixels))))
                    .block(TIMEOUT)
                    .output("embedding");
            assertThat(embedding.asFloats()).hasSize(128);
        }
    }

    private static float[] pixels(long seed) {
        float[] pixels = new float[3 * 64 * 64];
        Random random = new Random(seed);
        for (int i = 0; i < pixels.length; i++) {
            pixels[i] = (float) random.nextGaussian();
        }
        return pixels;
    }

    /** The same graph run in-process by ONNX Runtime. */
    private static float[] direct(String model, float[] pixels) throws OrtException {
        OrtEnvironment environment = OrtEnvironment.getEnvironment();
        try (OrtSession session = environment.createSession(
                        TINY.resolve(model).resolve("1/model.onnx").toString());
                OnnxTensor input =
                        OnnxTensor.createTensor(environment, FloatBuffer.wrap(pixels), new long[] {1, 3, 64, 64});
                OrtSession.Result result = session.run(Map.of("pixel_values", input))) {
            FloatBuffer output = ((OnnxTensor) result.get(0)).getFloatBuffer();
            float[] values = new float[output.remaining()];
            output.get(values);
            return values;
        }
    }
}
