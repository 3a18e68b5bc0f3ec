package io.xcomposer.inference.server;

import static org.assertj.core.api.Assertions.assertThat;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import io.xcomposer.inference.client.InferRequest;
import io.xcomposer.inference.client.TritonClient;
import io.xcomposer.inference.client.TritonClientOptions;
import io.xcomposer.inference.client.contract.ImageEmbeds;
import io.xcomposer.inference.client.generation.GenerationChunk;
import io.xcomposer.inference.client.generation.GenerationRequest;
import io.xcomposer.inference.client.generation.SamplingParams;
import io.xcomposer.inference.client.tensor.Tensor;
import io.xcomposer.inference.grpc.RepositoryIndexResponse.ModelIndex;
import io.xcomposer.inference.server.grpc.GrpcEndpoint;
import io.xcomposer.inference.server.runtime.OrtSessions;
import java.nio.FloatBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIf;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/**
 * The lead's real tiny repository ({@code model-repository/tiny}, passed by the build as system property
 * {@code model.repository}); skipped until its export exists.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.NONE, properties = "xcomposer.server.grpc-port=0")
@EnabledIf("tinyRepositoryExported")
class TinyRepositoryIntegrationTests {

    private static final Duration TIMEOUT = Duration.ofSeconds(60);

    @Autowired
    private GrpcEndpoint grpcServer;

    static boolean tinyRepositoryExported() {
        return Files.isRegularFile(repository().resolve("llm/config.pbtxt"));
    }

    @DynamicPropertySource
    static void repositoryProperty(DynamicPropertyRegistry registry) {
        registry.add("xcomposer.server.repository", () -> repository().toString());
    }

    @Test
    void servesEveryModelAndRunsVisionThenGeneration() throws OrtException {
        try (TritonClient client = TritonClient.connect(TritonClientOptions.of("localhost", grpcServer.port()))) {
            assertThat(client.repositoryIndex().block(TIMEOUT))
                    .extracting(ModelIndex::getState)
                    .containsOnly("READY");

            float[] pixels = new float[3 * 64 * 64];
            Random random = new Random(3);
            for (int i = 0; i < pixels.length; i++) {
                pixels[i] = (float) random.nextGaussian();
            }
            Tensor embeds = client.infer(InferRequest.of(
                            "vision_encoder", List.of(Tensor.fp32("pixel_values", new long[] {1, 3, 64, 64}, pixels))))
                    .block(TIMEOUT)
                    .output("image_embeds");
            assertThat(embeds.asFloats()).containsExactly(direct(pixels));

            List<GenerationChunk> chunks = client.generate(new GenerationRequest(
                            "llm",
                            " <|User|>:<ImageHere>What is in the picture?\n<eoh> <|Bot|>:",
                            ImageEmbeds.stack(List.of(embeds)),
                            SamplingParams.greedy(40),
                            "tiny-1",
                            null))
                    .collectList()
                    .block(TIMEOUT);
            GenerationChunk last = chunks.get(chunks.size() - 1);
            assertThat(last.finishReason()).isIn("stop", "length");
            assertThat(last.promptTokens()).isGreaterThan(18);
        }
    }

    private float[] direct(float[] pixels) throws OrtException {
        OrtEnvironment environment = OrtEnvironment.getEnvironment();
        try (OrtSession.SessionOptions options = OrtSessions.options(1);
                OrtSession session = environment.createSession(
                        repository().resolve("vision_encoder/1/model.onnx").toString(), options);
                OnnxTensor input =
                        OnnxTensor.createTensor(environment, FloatBuffer.wrap(pixels), new long[] {1, 3, 64, 64});
                OrtSession.Result result = session.run(Map.of("pixel_values", input))) {
            FloatBuffer output = ((OnnxTensor) result.get(0)).getFloatBuffer();
            float[] values = new float[output.remaining()];
            output.get(values);
            return values;
        }
    }

    private static Path repository() {
        return Path.of(System.getProperty("model.repository", "../model-repository/tiny"));
    }
}
