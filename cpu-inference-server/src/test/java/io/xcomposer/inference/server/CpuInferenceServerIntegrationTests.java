package io.xcomposer.inference.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import com.google.protobuf.ByteString;
import io.grpc.ManagedChannel;
import io.grpc.ManagedChannelBuilder;
import io.grpc.StatusRuntimeException;
import io.micrometer.core.instrument.MeterRegistry;
import io.xcomposer.inference.client.InferRequest;
import io.xcomposer.inference.client.InferResult;
import io.xcomposer.inference.client.TritonClient;
import io.xcomposer.inference.client.TritonClientOptions;
import io.xcomposer.inference.client.contract.LlmContract;
import io.xcomposer.inference.client.error.ContextLengthExceededException;
import io.xcomposer.inference.client.error.GrpcErrors;
import io.xcomposer.inference.client.error.InferenceException;
import io.xcomposer.inference.client.error.InferenceUnsupportedException;
import io.xcomposer.inference.client.error.InvalidInputException;
import io.xcomposer.inference.client.error.ModelNotFoundException;
import io.xcomposer.inference.client.error.ServerUnavailableException;
import io.xcomposer.inference.client.generation.GenerationChunk;
import io.xcomposer.inference.client.generation.GenerationRequest;
import io.xcomposer.inference.client.generation.SamplingParams;
import io.xcomposer.inference.client.image.ImageFormat;
import io.xcomposer.inference.client.image.PreprocessedImage;
import io.xcomposer.inference.client.tensor.Tensor;
import io.xcomposer.inference.client.vision.VisionEncoder;
import io.xcomposer.inference.grpc.GRPCInferenceServiceGrpc;
import io.xcomposer.inference.grpc.ModelInferRequest;
import io.xcomposer.inference.grpc.RepositoryIndexResponse.ModelIndex;
import io.xcomposer.inference.server.grpc.GrpcEndpoint;
import io.xcomposer.inference.server.metrics.InferenceMetrics;
import io.xcomposer.inference.server.runtime.OrtSessions;
import io.xcomposer.inference.server.tokenizer.Tokenizer;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.FloatBuffer;
import java.nio.LongBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.micrometer.metrics.test.autoconfigure.AutoConfigureMetrics;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import reactor.core.Disposable;

/**
 * The server over real TCP on ephemeral ports, driven by the project's own TritonClient, against the fixture
 * repository (which holds one deliberately broken model).
 */
@SpringBootTest(
        webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
        properties = {
            "xcomposer.server.repository=src/test/resources/fixture-repo",
            "xcomposer.server.grpc-port=0",
            "xcomposer.server.max-concurrent-generations=2"
        })
@AutoConfigureMetrics
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class CpuInferenceServerIntegrationTests {

    private static final Duration TIMEOUT = Duration.ofSeconds(30);
    private static final int PIXELS = 3 * 8 * 8;

    @Autowired
    private GrpcEndpoint grpcServer;

    @Autowired
    private MeterRegistry meterRegistry;

    @LocalServerPort
    private int httpPort;

    private TritonClient client;
    private OrtEnvironment environment;

    @BeforeAll
    void connect() {
        client = TritonClient.connect(TritonClientOptions.of("localhost", grpcServer.port()));
        environment = OrtEnvironment.getEnvironment();
    }

    @AfterAll
    void disconnect() {
        client.close();
    }

    @Test
    void infer_visionEncoderEqualsOnnxRuntimeBitForBit() throws OrtException {
        float[] pixels = randomFloats(PIXELS, 1);

        InferResult result = client.infer(InferRequest.of(
                        "vision_encoder", List.of(Tensor.fp32("pixel_values", new long[] {1, 3, 8, 8}, pixels))))
                .block(TIMEOUT);

        Tensor embeds = result.output("image_embeds");
        assertThat(embeds.shape()).containsExactly(1, 3, 16);
        assertThat(floatBits(embeds.asFloats())).containsExactly(floatBits(directVision(pixels, 1)));
    }

    @Test
    void infer_concurrentRequestsAreBatchedAndEachGetsItsOwnExactResult() throws Exception {
        int requests = 8;
        double executionsBefore = counter(InferenceMetrics.EXEC_COUNT, "vision_encoder");
        List<float[]> inputs = new ArrayList<>();
        List<CompletableFuture<InferResult>> results = new ArrayList<>();
        for (int i = 0; i < requests; i++) {
            float[] pixels = randomFloats(PIXELS, 100 + i);
            inputs.add(pixels);
            results.add(client.infer(InferRequest.of(
                            "vision_encoder", List.of(Tensor.fp32("pixel_values", new long[] {1, 3, 8, 8}, pixels))))
                    .toFuture());
        }
        for (int i = 0; i < requests; i++) {
            float[] served = results.get(i).get().output("image_embeds").asFloats();
            assertThat(floatBits(served))
                    .as("request %d", i)
                    .containsExactly(floatBits(directVision(inputs.get(i), 1)));
        }
        double executions = counter(InferenceMetrics.EXEC_COUNT, "vision_encoder") - executionsBefore;
        assertThat(executions).isLessThan(requests);
    }

    @Test
    void infer_clientBatchOfTwoMatchesOnnxRuntime() throws OrtException {
        float[] pixels = randomFloats(2 * PIXELS, 7);

        InferResult result = client.infer(InferRequest.of(
                        "vision_encoder", List.of(Tensor.fp32("pixel_values", new long[] {2, 3, 8, 8}, pixels))))
                .block(TIMEOUT);

        assertThat(floatBits(result.output("image_embeds").asFloats()))
                .containsExactly(floatBits(directVision(pixels, 2)));
    }

    @Test
    void visionEncoder_splitsImagesIntoCallsOfAtMostMaxBatchSizeAndKeepsTheirOrder() throws OrtException {
        int maxBatchSize = client.modelConfig("vision_encoder").block(TIMEOUT).getMaxBatchSize();
        List<PreprocessedImage> images = new ArrayList<>();
        for (int i = 0; i < maxBatchSize + 2; i++) {
            images.add(new PreprocessedImage(randomFloats(PIXELS, 100 + i), 8, "sha" + i, ImageFormat.PNG, 8, 8));
        }
        double executionsBefore = counter(InferenceMetrics.EXEC_COUNT, "vision_encoder");

        List<Tensor> embeds = new VisionEncoder(client, "vision_encoder", TIMEOUT)
                .encode(images, maxBatchSize, null)
                .block(TIMEOUT);

        assertThat(embeds).hasSize(images.size());
        for (int i = 0; i < images.size(); i++) {
            assertThat(embeds.get(i).shape()).containsExactly(3, 16);
            assertThat(floatBits(embeds.get(i).asFloats()))
                    .containsExactly(floatBits(directVision(images.get(i).pixels(), 1)));
        }
        assertThat(counter(InferenceMetrics.EXEC_COUNT, "vision_encoder") - executionsBefore)
                .isEqualTo(2);
    }

    @Test
    void infer_textIsTokenizedPaddedAndTruncatedServerSide() throws OrtException {
        List<String> texts = List.of("hello world", "你好 cat sat on the mat a");
        Tokenizer tokenizer = Tokenizer.load(FixtureRepository.file("text_embedder", "tokenizer.json"));
        // max_text_tokens is 6: the second text (7 tokens) is cut, the first padded to 6.
        long[] ids = new long[12];
        long[] mask = new long[12];
        for (int row = 0; row < 2; row++) {
            int[] tokens = tokenizer.encode(texts.get(row));
            for (int i = 0; i < 6; i++) {
                ids[row * 6 + i] = i < tokens.length ? tokens[i] : tokenizer.padId();
                mask[row * 6 + i] = i < tokens.length ? 1 : 0;
            }
        }

        InferResult result = client.infer(InferRequest.of(
                        "text_embedder", List.of(Tensor.strings("text", new long[] {2, 1}, texts))))
                .block(TIMEOUT);

        float[] expected = runDirect(
                FixtureRepository.file("text_embedder", "model.onnx"),
                Map.of("input_ids", LongBuffer.wrap(ids), "attention_mask", LongBuffer.wrap(mask)),
                new long[] {2, 6});
        assertThat(result.output("embedding").shape()).containsExactly(2, 8);
        assertThat(floatBits(result.output("embedding").asFloats())).containsExactly(floatBits(expected));
    }

    @Test
    void infer_errorsAreTypedAndTheServerKeepsServing() {
        float[] pixels = randomFloats(PIXELS, 3);
        assertThatThrownBy(() -> client.infer(InferRequest.of(
                                "no_such_model", List.of(Tensor.fp32("pixel_values", new long[] {1, 3, 8, 8}, pixels))))
                        .block(TIMEOUT))
                .isInstanceOf(ModelNotFoundException.class);
        assertThatThrownBy(() -> client.infer(InferRequest.of(
                                "vision_encoder",
                                List.of(Tensor.int32("pixel_values", new long[] {1, 3, 8, 8}, new int[PIXELS]))))
                        .block(TIMEOUT))
                .isInstanceOf(InvalidInputException.class)
                .hasMessageContaining("input 'pixel_values' has datatype INT32, model expects FP32");
        assertThatThrownBy(() -> client.infer(InferRequest.of(
                                "vision_encoder",
                                List.of(Tensor.fp32("pixel_values", new long[] {1, 3, 4, 16}, pixels))))
                        .block(TIMEOUT))
                .isInstanceOf(InvalidInputException.class)
                .hasMessageContaining("pixel_values");
        assertThatThrownBy(() -> client.infer(InferRequest.of(
                                "vision_encoder",
                                List.of(Tensor.fp32("pixel_values", new long[] {5, 3, 8, 8}, new float[5 * PIXELS]))))
                        .block(TIMEOUT))
                .isInstanceOf(InvalidInputException.class)
                .hasMessageContaining("batch size 5");
        assertThatThrownBy(() -> client.infer(InferRequest.of(
                                "llm", List.of(Tensor.strings("text_input", new long[] {1}, List.of("hi")))))
                        .block(TIMEOUT))
                .isInstanceOf(InferenceUnsupportedException.class)
                .hasMessageContaining("decoupled transaction policy");
        assertThat(GrpcErrors.map(wrongByteLength(), "vision_encoder"))
                .isInstanceOf(InvalidInputException.class)
                .hasMessageContaining("768 bytes");

        assertThat(client.infer(InferRequest.of(
                                "vision_encoder",
                                List.of(Tensor.fp32("pixel_values", new long[] {1, 3, 8, 8}, pixels))))
                        .block(TIMEOUT))
                .isNotNull();
    }

    @Test
    void repositoryIndex_reportsTheBrokenModelAndServesTheOthers() {
        List<ModelIndex> index = client.repositoryIndex().block(TIMEOUT);

        assertThat(index)
                .extracting(ModelIndex::getName, ModelIndex::getState)
                .containsExactly(
                        org.assertj.core.groups.Tuple.tuple("broken", "UNAVAILABLE"),
                        org.assertj.core.groups.Tuple.tuple("llm", "READY"),
                        org.assertj.core.groups.Tuple.tuple("text_embedder", "READY"),
                        org.assertj.core.groups.Tuple.tuple("vision_encoder", "READY"));
        assertThat(index.get(0).getReason()).contains("does not match folder 'broken'");
        assertThat(client.serverLive().block(TIMEOUT)).isTrue();
        assertThat(client.serverReady().block(TIMEOUT)).isFalse();
        assertThat(client.modelReady("vision_encoder").block(TIMEOUT)).isTrue();
        assertThat(client.modelConfig("llm")
                        .block(TIMEOUT)
                        .getParametersOrThrow("image_placeholder")
                        .getStringValue())
                .isEqualTo("<ImageHere>");
        assertThat(client.modelMetadata("vision_encoder")
                        .block(TIMEOUT)
                        .getInputs(0)
                        .getShapeList())
                .containsExactly(-1L, 3L, 8L, 8L);
    }

    @Test
    void generate_streamedTextEqualsCollectedTextForTheSameSeed() {
        GenerationRequest request = new GenerationRequest(
                "llm",
                " <|User|>:hello world<eoh>\n <|Bot|>:",
                null,
                new SamplingParams(40, 0.9f, 0.95f, 50, 1.1f, 1234L, List.of(), null, null),
                "gen-1",
                null);

        List<String> deltas = new ArrayList<>();
        GenerationChunk last = null;
        for (GenerationChunk chunk : client.generate(request).toIterable()) {
            deltas.add(chunk.textDelta());
            last = chunk;
        }
        String collected = client.generate(request)
                .map(GenerationChunk::textDelta)
                .reduce("", String::concat)
                .block(TIMEOUT);
        String otherSeed = client.generate(new GenerationRequest(
                        "llm",
                        request.prompt(),
                        null,
                        new SamplingParams(40, 0.9f, 0.95f, 50, 1.1f, 99L, List.of(), null, null),
                        null,
                        null))
                .map(GenerationChunk::textDelta)
                .reduce("", String::concat)
                .block(TIMEOUT);

        assertThat(deltas).hasSizeGreaterThan(2);
        assertThat(String.join("", deltas)).isEqualTo(collected).isNotEmpty().isNotEqualTo(otherSeed);
        assertThat(last.last()).isTrue();
        assertThat(last.finishReason()).isEqualTo("length");
        assertThat(last.completionTokens()).isEqualTo(40);
        assertThat(last.requestId()).isEqualTo("gen-1");
    }

    @Test
    void generate_logprobsSpellTheTextAndDoNotChangeIt() {
        String prompt = " <|User|>:hello world<eoh>\n <|Bot|>:";
        SamplingParams plain = new SamplingParams(30, 0.8f, null, null, null, 7L, List.of(), null, null);
        SamplingParams withLogprobs =
                new SamplingParams(30, 0.8f, null, null, null, 7L, List.of(), null, null, null, null, 3);

        String text = client.generate(GenerationRequest.text("llm", prompt, plain))
                .map(GenerationChunk::textDelta)
                .reduce("", String::concat)
                .block(TIMEOUT);
        List<GenerationChunk> chunks = client.generate(GenerationRequest.text("llm", prompt, withLogprobs))
                .collectList()
                .block(TIMEOUT);

        java.io.ByteArrayOutputStream spelled = new java.io.ByteArrayOutputStream();
        StringBuilder streamed = new StringBuilder();
        for (GenerationChunk chunk : chunks) {
            streamed.append(chunk.textDelta());
            java.io.ByteArrayOutputStream own = new java.io.ByteArrayOutputStream();
            for (io.xcomposer.inference.client.generation.TokenLogprob token : chunk.logprobs()) {
                own.writeBytes(token.bytes());
                spelled.writeBytes(token.bytes());
                assertThat(token.logprob()).isLessThanOrEqualTo(0f);
                assertThat(token.top()).hasSize(3);
                assertThat(token.top().get(0).logprob())
                        .isGreaterThanOrEqualTo(token.top().get(1).logprob())
                        .isGreaterThanOrEqualTo(token.top().get(2).logprob())
                        .isGreaterThanOrEqualTo(token.logprob() - 1e-6f);
            }
            assertThat(own.toString(java.nio.charset.StandardCharsets.UTF_8)).isEqualTo(chunk.textDelta());
        }
        assertThat(streamed.toString()).isEqualTo(text).isNotEmpty();
        assertThat(spelled.toString(java.nio.charset.StandardCharsets.UTF_8)).isEqualTo(text);
        GenerationChunk last = chunks.get(chunks.size() - 1);
        long reported =
                chunks.stream().mapToLong(chunk -> chunk.logprobs().size()).sum();
        assertThat(reported).isBetween(1L, (long) last.completionTokens());
    }

    @Test
    void generate_greedyLogprobsChooseTheMostLikelyToken() {
        SamplingParams greedy =
                new SamplingParams(12, 0f, null, null, null, null, List.of(), null, null, null, null, 1);
        List<io.xcomposer.inference.client.generation.TokenLogprob> tokens = client.generate(
                        GenerationRequest.text("llm", " <|User|>:hello<eoh>\n <|Bot|>:", greedy))
                .flatMapIterable(GenerationChunk::logprobs)
                .collectList()
                .block(TIMEOUT);

        assertThat(tokens).isNotEmpty().allSatisfy(token -> {
            assertThat(token.top().get(0).bytes()).isEqualTo(token.bytes());
            assertThat(token.top().get(0).logprob()).isEqualTo(token.logprob());
        });
    }

    @Test
    void generate_frequencyPenaltyChangesAGreedyAnswerThatRepeatsTokens() {
        String prompt = " <|User|>:hello world<eoh>\n <|Bot|>:";
        String plain = client.generate(GenerationRequest.text("llm", prompt, SamplingParams.greedy(40)))
                .map(GenerationChunk::textDelta)
                .reduce("", String::concat)
                .block(TIMEOUT);
        String penalised = client.generate(GenerationRequest.text(
                        "llm",
                        prompt,
                        new SamplingParams(40, 0f, null, null, null, null, List.of(), null, null, 0f, 2f, null)))
                .map(GenerationChunk::textDelta)
                .reduce("", String::concat)
                .block(TIMEOUT);

        assertThat(penalised).isNotEqualTo(plain);
    }

    @Test
    void generate_logprobsOutOfRangeOrWithBeamsAreInvalidInput() {
        SamplingParams beams = SamplingParams.greedy(5).withBeams(2, null);
        SamplingParams beamsWithLogprobs =
                new SamplingParams(5, 0f, null, null, null, null, List.of(), 2, null, null, null, 0);
        assertThatThrownBy(() -> client.generate(GenerationRequest.text("llm", "hello", beamsWithLogprobs))
                        .blockLast(TIMEOUT))
                .isInstanceOf(InvalidInputException.class)
                .hasMessageContaining("logprobs");
        assertThat(beams.logprobs()).isNull();
    }

    @Test
    void generate_greedyWithImageMatchesAReferenceDecoderWithoutKvCache() throws OrtException {
        float[] image = randomFloats(3 * 16, 5);
        String prompt = "<ImageHere>hello the";
        Tensor imageEmbeds = Tensor.fp32("image_embeds", new long[] {1, 3, 16}, image);

        List<GenerationChunk> chunks = client.generate(
                        new GenerationRequest("llm", prompt, imageEmbeds, SamplingParams.greedy(12), null, null))
                .collectList()
                .block(TIMEOUT);

        GenerationChunk last = chunks.get(chunks.size() - 1);
        assertThat(last.promptTokens()).isEqualTo(1 + 3 + 2);
        String served = chunks.stream().map(GenerationChunk::textDelta).reduce("", String::concat);
        assertThat(served).isEqualTo(referenceGreedy(prompt.substring("<ImageHere>".length()), image, 12));
    }

    @Test
    void generate_requestStopWordEndsTheTextBeforeIt() {
        SamplingParams greedy = SamplingParams.greedy(30);
        String full = client.generate(GenerationRequest.text("llm", "hello", greedy))
                .map(GenerationChunk::textDelta)
                .reduce("", String::concat)
                .block(TIMEOUT);
        String stop = full.substring(10, 13);
        String expected = full.substring(0, full.indexOf(stop));

        List<GenerationChunk> chunks = client.generate(GenerationRequest.text(
                        "llm", "hello", new SamplingParams(30, 0f, null, null, null, null, List.of(stop), null, null)))
                .collectList()
                .block(TIMEOUT);

        assertThat(chunks.stream().map(GenerationChunk::textDelta).reduce("", String::concat))
                .isEqualTo(expected);
        assertThat(chunks.get(chunks.size() - 1).finishReason()).isEqualTo("stop");
    }

    @Test
    void generate_promptErrorsArriveAsStreamErrors() {
        String tooLong = "1".repeat(100_000);
        assertThatThrownBy(() -> client.generate(GenerationRequest.text("llm", tooLong, SamplingParams.greedy(5)))
                        .blockLast(TIMEOUT))
                .isInstanceOf(ContextLengthExceededException.class)
                .hasMessageContaining("prompt has 100001 tokens, context_length is 100000");
        assertThatThrownBy(
                        () -> client.generate(GenerationRequest.text("llm", "<ImageHere> hi", SamplingParams.greedy(5)))
                                .blockLast(TIMEOUT))
                .isInstanceOf(InferenceException.class)
                .hasMessageContaining("1 '<ImageHere>' placeholders but image_embeds holds 0 images");
    }

    @Test
    void generate_oneBeamIsGreedyAndBeamsSendTheirWholeTextInTheFinalResponse() {
        String prompt = " <|User|>:hello world<eoh>\n <|Bot|>:";
        List<GenerationChunk> greedy = client.generate(GenerationRequest.text("llm", prompt, SamplingParams.greedy(20)))
                .collectList()
                .block(TIMEOUT);
        List<GenerationChunk> oneBeam = client.generate(GenerationRequest.text(
                        "llm", prompt, SamplingParams.greedy(20).withBeams(1, 1f)))
                .collectList()
                .block(TIMEOUT);
        List<GenerationChunk> beams = client.generate(GenerationRequest.text(
                        "llm", prompt, SamplingParams.greedy(20).withBeams(3, 1f)))
                .collectList()
                .block(TIMEOUT);

        assertThat(text(oneBeam)).isEqualTo(text(greedy)).isNotEmpty();
        assertThat(beams).hasSize(1);
        GenerationChunk last = beams.get(0);
        assertThat(last.last()).isTrue();
        assertThat(last.finishReason()).isIn("stop", "length");
        assertThat(last.completionTokens()).isBetween(1, 20);
        assertThat(last.promptTokens()).isEqualTo(greedy.get(greedy.size() - 1).promptTokens());
    }

    @Test
    void generate_beamSettingsOutOfRangeAreInvalidInput() {
        for (SamplingParams invalid : List.of(
                SamplingParams.greedy(5).withBeams(0, null),
                SamplingParams.greedy(5).withBeams(LlmContract.MAX_NUM_BEAMS + 1, null),
                new SamplingParams(5, 0.7f, null, null, null, 1L, List.of(), 2, null))) {
            assertThatThrownBy(() -> client.generate(GenerationRequest.text("llm", "hello", invalid))
                            .blockLast(TIMEOUT))
                    .isInstanceOf(InvalidInputException.class)
                    .hasMessageContaining(LlmContract.INVALID_INPUT_PREFIX + " num_beams");
        }
        assertThatThrownBy(() -> client.generate(GenerationRequest.text(
                                "llm",
                                "1".repeat(100_000),
                                SamplingParams.greedy(5).withBeams(4, 1f)))
                        .blockLast(TIMEOUT))
                .isInstanceOf(ContextLengthExceededException.class);
    }

    @Test
    void generate_cancellingTheCallStopsDecodingWithinOneSecond() {
        AtomicInteger received = new AtomicInteger();
        Disposable generation = client.generate(GenerationRequest.text(
                        "llm", "hello", new SamplingParams(90_000, 1f, null, null, null, 3L, List.of(), null, null)))
                .subscribe(chunk -> received.incrementAndGet());
        awaitTrue(() -> received.get() > 20 && inFlight() == 1, Duration.ofSeconds(10));

        generation.dispose();
        long cancelledAt = System.nanoTime();
        awaitTrue(() -> inFlight() == 0, Duration.ofSeconds(1));

        assertThat(Duration.ofNanos(System.nanoTime() - cancelledAt)).isLessThan(Duration.ofSeconds(1));
    }

    @Test
    void generate_beyondTheConcurrencyLimitIsRefusedWithUnavailable() {
        SamplingParams endless = new SamplingParams(90_000, 1f, null, null, null, 4L, List.of(), null, null);
        Disposable first =
                client.generate(GenerationRequest.text("llm", "hello", endless)).subscribe();
        Disposable second =
                client.generate(GenerationRequest.text("llm", "hello", endless)).subscribe();
        try {
            awaitTrue(() -> inFlight() == 2, Duration.ofSeconds(10));
            assertThatThrownBy(() -> client.generate(GenerationRequest.text("llm", "hello", SamplingParams.greedy(3)))
                            .blockLast(TIMEOUT))
                    .isInstanceOf(ServerUnavailableException.class)
                    .hasMessageContaining("generation slots are busy");
        } finally {
            first.dispose();
            second.dispose();
            awaitTrue(() -> inFlight() == 0, Duration.ofSeconds(5));
        }
    }

    @Test
    void prometheus_exportsTritonMetricNames() throws Exception {
        client.infer(InferRequest.of(
                        "vision_encoder",
                        List.of(Tensor.fp32("pixel_values", new long[] {1, 3, 8, 8}, randomFloats(PIXELS, 9)))))
                .block(TIMEOUT);
        client.generate(GenerationRequest.text("llm", "hello", SamplingParams.greedy(3)))
                .blockLast(TIMEOUT);

        String scrape = get("/actuator/prometheus").body();

        assertThat(scrape)
                .contains("nv_inference_request_success_total{model=\"vision_encoder\",version=\"1\"}")
                .contains("nv_inference_request_failure_total{model=\"vision_encoder\",version=\"1\"}")
                .contains("nv_inference_count_total{model=\"vision_encoder\",version=\"1\"}")
                .contains("nv_inference_exec_count_total{model=\"vision_encoder\",version=\"1\"}")
                .contains("nv_inference_queue_duration_us_total{model=\"vision_encoder\",version=\"1\"}")
                .contains("nv_inference_compute_infer_duration_us_total{model=\"llm\",version=\"1\"}")
                .contains("nv_inference_generated_tokens_total{model=\"llm\",version=\"1\"}")
                .contains("nv_inference_generations_in_flight{model=\"llm\"}");
    }

    @Test
    void prometheus_exportsGenAiServerMetricsWithTheAdvisedBuckets() throws Exception {
        client.generate(GenerationRequest.text("llm", "hello", SamplingParams.greedy(3)))
                .blockLast(TIMEOUT);

        String scrape = get("/actuator/prometheus").body();

        String llm = "gen_ai_operation_name=\"text_completion\",gen_ai_request_model=\"llm\"";
        assertThat(scrape)
                .contains("gen_ai_server_time_to_first_token_seconds_bucket{" + llm + ",le=\"0.001\"}")
                .contains("gen_ai_server_request_duration_seconds_bucket{" + llm + ",le=\"81.92\"}")
                .contains("gen_ai_server_time_per_output_token_seconds_bucket{" + llm + ",le=\"0.01\"}");
    }

    @Test
    void health_livenessUpReadinessDownBecauseOneModelFailed() throws Exception {
        assertThat(get("/actuator/health/liveness").statusCode()).isEqualTo(200);
        HttpResponse<String> readiness = get("/actuator/health/readiness");
        assertThat(readiness.statusCode()).isEqualTo(503);
        assertThat(readiness.body()).contains("does not match folder");
    }

    private float[] directVision(float[] pixels, int batch) throws OrtException {
        return runDirect(
                FixtureRepository.file("vision_encoder", "model.onnx"),
                Map.of("pixel_values", FloatBuffer.wrap(pixels)),
                new long[] {batch, 3, 8, 8});
    }

    /** Runs a model file in a fresh ONNX Runtime session with the server's options, bypassing the server. */
    private float[] runDirect(java.nio.file.Path model, Map<String, java.nio.Buffer> inputs, long[] shape)
            throws OrtException {
        try (OrtSession.SessionOptions options = OrtSessions.options(1);
                OrtSession session = environment.createSession(model.toString(), options)) {
            Map<String, OnnxTensor> feeds = new java.util.HashMap<>();
            for (var input : inputs.entrySet()) {
                feeds.put(
                        input.getKey(),
                        input.getValue() instanceof FloatBuffer floats
                                ? OnnxTensor.createTensor(environment, floats, shape)
                                : OnnxTensor.createTensor(environment, (LongBuffer) input.getValue(), shape));
            }
            try (OrtSession.Result result = session.run(feeds)) {
                FloatBuffer output = ((OnnxTensor) result.get(0)).getFloatBuffer();
                float[] values = new float[output.remaining()];
                output.get(values);
                return values;
            } finally {
                feeds.values().forEach(OnnxTensor::close);
            }
        }
    }

    /** Greedy decoding that re-runs the whole sequence each step with an empty past: no KV cache involved. */
    private String referenceGreedy(String text, float[] image, int tokens) throws OrtException {
        Tokenizer tokenizer = Tokenizer.load(FixtureRepository.file("llm", "tokenizer.json"));
        List<float[]> rows = new ArrayList<>();
        rows.add(embed(tokenizer.bosId()));
        for (int q = 0; q < 3; q++) {
            rows.add(Arrays.copyOfRange(image, q * 16, (q + 1) * 16));
        }
        for (int id : tokenizer.encode(text)) {
            rows.add(embed(id));
        }
        int[] generated = new int[tokens];
        try (OrtSession.SessionOptions options = OrtSessions.options(1);
                OrtSession decoder = environment.createSession(
                        FixtureRepository.file("llm", "model.onnx").toString(), options)) {
            for (int step = 0; step < tokens; step++) {
                float[] sequence = new float[rows.size() * 16];
                for (int i = 0; i < rows.size(); i++) {
                    System.arraycopy(rows.get(i), 0, sequence, i * 16, 16);
                }
                long[] emptyPast = {2, 1, 2, 0, 8};
                try (OnnxTensor embeds = OnnxTensor.createTensor(
                                environment, FloatBuffer.wrap(sequence), new long[] {1, rows.size(), 16});
                        OnnxTensor pastKey = OnnxTensor.createTensor(environment, FloatBuffer.allocate(0), emptyPast);
                        OnnxTensor pastValue =
                                OnnxTensor.createTensor(environment, FloatBuffer.allocate(0), emptyPast);
                        OrtSession.Result result = decoder.run(
                                Map.of("inputs_embeds", embeds, "past_key", pastKey, "past_value", pastValue))) {
                    FloatBuffer logits = ((OnnxTensor) result.get("logits").orElseThrow()).getFloatBuffer();
                    int best = 0;
                    for (int id = 1; id < logits.limit(); id++) {
                        best = logits.get(id) > logits.get(best) ? id : best;
                    }
                    generated[step] = best;
                    rows.add(embed(best));
                }
            }
        }
        return tokenizer.decode(generated);
    }

    private float[] embed(int id) throws OrtException {
        return runDirect(
                FixtureRepository.file("llm", "embed.onnx"),
                Map.of("input_ids", LongBuffer.wrap(new long[] {id})),
                new long[] {1, 1});
    }

    private StatusRuntimeException wrongByteLength() {
        ManagedChannel channel = ManagedChannelBuilder.forAddress("localhost", grpcServer.port())
                .usePlaintext()
                .build();
        try {
            GRPCInferenceServiceGrpc.newBlockingStub(channel)
                    .modelInfer(ModelInferRequest.newBuilder()
                            .setModelName("vision_encoder")
                            .addInputs(ModelInferRequest.InferInputTensor.newBuilder()
                                    .setName("pixel_values")
                                    .setDatatype("FP32")
                                    .addAllShape(List.of(1L, 3L, 8L, 8L)))
                            .addRawInputContents(ByteString.copyFrom(new byte[12]))
                            .build());
            throw new AssertionError("a request with 12 bytes for 192 floats was accepted");
        } catch (StatusRuntimeException e) {
            return e;
        } finally {
            channel.shutdownNow();
        }
    }

    private double inFlight() {
        return meterRegistry
                .get(InferenceMetrics.GENERATIONS_IN_FLIGHT)
                .tag("model", "llm")
                .gauge()
                .value();
    }

    private double counter(String name, String model) {
        var counter = meterRegistry.find(name).tag("model", model).counter();
        return counter == null ? 0 : counter.count();
    }

    private HttpResponse<String> get(String path) throws Exception {
        return HttpClient.newHttpClient()
                .send(
                        HttpRequest.newBuilder(URI.create("http://localhost:" + httpPort + path))
                                .build(),
                        HttpResponse.BodyHandlers.ofString());
    }

    private static String text(List<GenerationChunk> chunks) {
        return chunks.stream().map(GenerationChunk::textDelta).reduce("", String::concat);
    }

    private static void awaitTrue(BooleanSupplier condition, Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("condition not met within " + timeout);
            }
            try {
                Thread.sleep(5);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new AssertionError(e);
            }
        }
    }

    private static float[] randomFloats(int count, long seed) {
        Random random = new Random(seed);
        float[] values = new float[count];
        for (int i = 0; i < count; i++) {
            values[i] = (float) random.nextGaussian();
        }
        return values;
    }

    private static int[] floatBits(float[] values) {
        return Arrays.stream(toDoubles(values))
                .mapToInt(value -> Float.floatToRawIntBits((float) value))
                .toArray();
    }

    private static double[] toDoubles(float[] values) {
        double[] doubles = new double[values.length];
        for (int i = 0; i < values.length; i++) {
            doubles[i] = values[i];
        }
        return doubles;
    }
}
