package io.xcomposer.comprehension.benchmark;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.xcomposer.comprehension.support.Chat;
import io.xcomposer.comprehension.support.HeldOut;
import io.xcomposer.comprehension.support.IntegrationTest;
import io.xcomposer.comprehension.support.TestModelServer;
import io.xcomposer.inference.client.InferRequest;
import io.xcomposer.inference.client.TritonClient;
import io.xcomposer.inference.client.TritonClientOptions;
import io.xcomposer.inference.client.contract.ImageEmbeds;
import io.xcomposer.inference.client.contract.VisionContract;
import io.xcomposer.inference.client.generation.GenerationRequest;
import io.xcomposer.inference.client.generation.SamplingParams;
import io.xcomposer.inference.client.image.ImageLimits;
import io.xcomposer.inference.client.image.ImagePreprocessor;
import io.xcomposer.inference.client.model.LlmSpec;
import io.xcomposer.inference.client.model.VisionSpec;
import io.xcomposer.inference.client.tensor.Tensor;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.core.ParameterizedTypeReference;
import org.springframework.http.MediaType;
import org.springframework.http.codec.ServerSentEvent;
import org.springframework.test.web.reactive.server.WebTestClient;

/**
 * Time to first token through the service with and without the vision-feature cache, and the service's overhead
 * over calling the model server directly (preprocess + vision_encoder + streamed llm, same prompt). Excluded from
 * the default run; results go to {@code target/benchmark.txt}:
 * {@code ./mvnw -q -pl comprehension-service test -Dexcluded.test.groups= -Dgroups=benchmark}
 */
@Tag("benchmark")
@IntegrationTest
class ChatBenchmarkTests {

    private static final int IMAGES = 20;

    private static final String QUESTION = "Describe the image.";

    @Autowired
    private WebTestClient client;

    @Test
    void timeToFirstToken() throws IOException {
        List<Path> images = new ArrayList<>();
        for (int i = 0; i < IMAGES + 3; i++) {
            images.add(HeldOut.image(String.format("%05d-0.png", 700 + i)));
        }
        images.subList(IMAGES, IMAGES + 3).forEach(this::serviceTtft);
        List<Path> measured = images.subList(0, IMAGES);
        List<Double> uncached = measured.stream().map(this::serviceTtft).toList();
        List<Double> cached = measured.stream().map(this::serviceTtft).toList();
        List<Double> direct;
        try (TritonClient triton = TritonClient.connect(
                TritonClientOptions.of("127.0.0.1", TestModelServer.get().port()), new SimpleMeterRegistry())) {
            LlmSpec llm = LlmSpec.fromConfig(triton.modelConfig("llm").block());
            VisionSpec vision =
                    VisionSpec.fromConfig(triton.modelConfig("vision_encoder").block());
            ImagePreprocessor preprocessor = new ImagePreprocessor(vision, ImageLimits.defaults());
            images.subList(IMAGES, IMAGES + 3).forEach(image -> directTtft(triton, llm, preprocessor, image));
            direct = measured.stream()
                    .map(image -> directTtft(triton, llm, preprocessor, image))
                    .toList();
        }
        String report = String.format(
                """
                comprehension-service time to first token, %d held-out images, tiny model on the CPU server, streamed, greedy
                  through the service, features not cached (vision_encoder runs): median %.1f ms, p90 %.1f ms
                  through the service, features cached in Redis:                  median %.1f ms, p90 %.1f ms
                  cache speed-up (uncached / cached median):                      %.2fx
                  model server called directly (preprocess + encoder + llm):      median %.1f ms, p90 %.1f ms
                  service overhead over direct (uncached median - direct median): %.1f ms
                """,
                IMAGES,
                median(uncached),
                p90(uncached),
                median(cached),
                p90(cached),
                median(uncached) / median(cached),
                median(direct),
                p90(direct),
                median(uncached) - median(direct));
        Files.writeString(Path.of("target/benchmark.txt"), report);
        System.out.println(report);
        assertThat(median(cached)).isPositive();
    }

    private double serviceTtft(Path image) {
        Map<String, Object> body =
                Chat.request(null, Chat.user(Chat.image(HeldOut.dataUrl(image)), Chat.text(QUESTION)));
        body.put("stream", true);
        long start = System.nanoTime();
        ServerSentEvent<String> first = this.client
                .post()
                .uri("/v1/chat/completions")
                .contentType(MediaType.APPLICATION_JSON)
                .bodyValue(body)
                .exchange()
                .returnResult(new ParameterizedTypeReference<ServerSentEvent<String>>() {})
                .getResponseBody()
                .filter(event -> event.data() != null
                        && event.data().contains("\"content\":\"")
                        && !event.data().contains("\"content\":\"\""))
                .blockFirst(Duration.ofSeconds(30));
        assertThat(first).isNotNull();
        return (System.nanoTime() - start) / 1e6;
    }

    private double directTtft(TritonClient triton, LlmSpec llm, ImagePreprocessor preprocessor, Path image) {
        try {
            byte[] bytes = Files.readAllBytes(image);
            long start = System.nanoTime();
            Tensor pixels = preprocessor.preprocess(bytes).toTensor("pixel_values", 16);
            Tensor features = triton.infer(InferRequest.of("vision_encoder", List.of(pixels)))
                    .block()
                    .output(VisionContract.IMAGE_EMBEDS);
            String prompt = llm.template().firstTurn(QUESTION, 1);
            triton.generate(new GenerationRequest(
                            "llm", prompt, ImageEmbeds.stack(List.of(features)), SamplingParams.greedy(64), null, null))
                    .filter(chunk -> !chunk.textDelta().isEmpty())
                    .blockFirst(Duration.ofSeconds(30));
            return (System.nanoTime() - start) / 1e6;
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    private static double median(List<Double> values) {
        return values.stream().sorted().toList().get(values.size() / 2);
    }

    private static double p90(List<Double> values) {
        return values.stream().sorted().toList().get((int) Math.ceil(values.size() * 0.9) - 1);
    }
}
