package io.xcomposer.inference.server.benchmark;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import io.grpc.ManagedChannel;
import io.grpc.ManagedChannelBuilder;
import io.micrometer.core.instrument.MeterRegistry;
import io.xcomposer.inference.client.InferRequest;
import io.xcomposer.inference.client.TritonClient;
import io.xcomposer.inference.client.TritonClientOptions;
import io.xcomposer.inference.client.generation.GenerationChunk;
import io.xcomposer.inference.client.generation.GenerationRequest;
import io.xcomposer.inference.client.generation.SamplingParams;
import io.xcomposer.inference.client.tensor.Tensor;
import io.xcomposer.inference.client.tensor.TensorCodec;
import io.xcomposer.inference.grpc.GRPCInferenceServiceGrpc;
import io.xcomposer.inference.grpc.ModelInferRequest;
import io.xcomposer.inference.server.FixtureRepository;
import io.xcomposer.inference.server.grpc.GrpcEndpoint;
import io.xcomposer.inference.server.metrics.InferenceMetrics;
import io.xcomposer.inference.server.runtime.OrtSessions;
import java.nio.FloatBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.stream.LongStream;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/**
 * Per-call overhead of unary inference (client → server over loopback vs ONNX Runtime called directly on the same
 * model file) and per-token overhead of streaming (server-side decode rate vs what the client observes). Dynamic
 * batching is off so that a lone request does not wait for its batch window. Results go to stdout and
 * {@code target/benchmark.txt}.
 */
@Tag("benchmark")
@SpringBootTest(
        webEnvironment = SpringBootTest.WebEnvironment.NONE,
        properties = {"xcomposer.server.grpc-port=0", "xcomposer.server.dynamic-batching=false"})
class OverheadBenchmarkTests {

    /** The lead's tiny repository once exported (the build passes it as {@code model.repository}), else the fixture. */
    private static final Path REPOSITORY =
            Files.isRegularFile(Path.of(System.getProperty("model.repository", "none"), "llm", "config.pbtxt"))
                    ? Path.of(System.getProperty("model.repository"))
                    : FixtureRepository.ROOT;

    private static final int WARMUP = 500;
    private static final int CALLS = 3000;
    private static final int GENERATIONS = 10;

    @Autowired
    private GrpcEndpoint grpcServer;

    @Autowired
    private MeterRegistry meterRegistry;

    private final List<String> report = new ArrayList<>();

    @DynamicPropertySource
    static void repositoryProperty(DynamicPropertyRegistry registry) {
        registry.add("xcomposer.server.repository", REPOSITORY::toString);
    }

    @Test
    void measure() throws Exception {
        try (TritonClient client = TritonClient.connect(TritonClientOptions.of("localhost", grpcServer.port()))) {
            unaryOverhead(client);
            streamingOverhead(client);
        }
        Files.write(Path.of("target/benchmark.txt"), report);
    }

    private void unaryOverhead(TritonClient client) throws OrtException {
        long[] shape = LongStream.concat(
                        LongStream.of(1),
                        client
                                .modelConfig("vision_encoder")
                                .block(Duration.ofSeconds(10))
                                .getInput(0)
                                .getDimsList()
                                .stream()
                                .mapToLong(Long::longValue))
                .toArray();
        float[] pixels = new float[(int) (shape[1] * shape[2] * shape[3])];
        Random random = new Random(1);
        for (int i = 0; i < pixels.length; i++) {
            pixels[i] = (float) random.nextGaussian();
        }
        InferRequest request = InferRequest.of("vision_encoder", List.of(Tensor.fp32("pixel_values", shape, pixels)));
        OrtEnvironment environment = OrtEnvironment.getEnvironment();
        try (OrtSession.SessionOptions options = OrtSessions.options(1);
                OrtSession session = environment.createSession(
                        REPOSITORY.resolve("vision_encoder/1/model.onnx").toString(), options)) {
            double directMicros = timePerCall(() -> {
                try (OnnxTensor input = OnnxTensor.createTensor(environment, FloatBuffer.wrap(pixels), shape);
                        OrtSession.Result result = session.run(Map.of("pixel_values", input))) {
                    ((OnnxTensor) result.get(0)).getFloatBuffer();
                }
            });
            double servedMicros = timePerCall(() -> client.infer(request).block(Duration.ofSeconds(10)));
            ModelInferRequest.Builder message = ModelInferRequest.newBuilder().setModelName("vision_encoder");
            TensorCodec.addInputs(message, request.inputs());
            ManagedChannel channel = ManagedChannelBuilder.forAddress("localhost", grpcServer.port())
                    .usePlaintext()
                    .build();
            var stub = GRPCInferenceServiceGrpc.newBlockingStub(channel);
            double stubMicros = timePerCall(() -> stub.modelInfer(message.build()));
            channel.shutdownNow();
            record("repository %s", REPOSITORY.toAbsolutePath().normalize());
            record(
                    "unary vision_encoder %s, %d sequential calls: ORT direct %.1f us/call, "
                            + "TritonClient->server %.1f us/call (overhead %.1f), plain blocking stub->server %.1f us/call "
                            + "(overhead %.1f)",
                    Arrays.toString(shape),
                    CALLS,
                    directMicros,
                    servedMicros,
                    servedMicros - directMicros,
                    stubMicros,
                    stubMicros - directMicros);
        }
    }

    private void streamingOverhead(TritonClient client) {
        int contextLength = Integer.parseInt(client.modelConfig("llm")
                .block(Duration.ofSeconds(10))
                .getParametersOrThrow("context_length")
                .getStringValue());
        int maxTokens = Math.min(3000, contextLength - 16);
        client.generate(generation(maxTokens, 0)).blockLast(Duration.ofSeconds(60));
        double computeBefore = counter(InferenceMetrics.COMPUTE_INFER_DURATION);
        double tokensBefore = counter(InferenceMetrics.GENERATED_TOKENS);

        long clientNanos = 0;
        int chunks = 0;
        for (int seed = 1; seed <= GENERATIONS; seed++) {
            long start = System.nanoTime();
            List<GenerationChunk> generated =
                    client.generate(generation(maxTokens, seed)).collectList().block(Duration.ofSeconds(120));
            clientNanos += System.nanoTime() - start;
            chunks += generated.size();
        }

        double serverSeconds = (counter(InferenceMetrics.COMPUTE_INFER_DURATION) - computeBefore) / 1e6;
        double tokens = counter(InferenceMetrics.GENERATED_TOKENS) - tokensBefore;
        double clientSeconds = clientNanos / 1e9;
        record(
                "streaming llm, %d generations (max_tokens %d, temperature 1), %.0f tokens, %d chunks: server %.0f "
                        + "tokens/s (%.1f us/token incl. prefill), client-observed %.0f tokens/s (%.1f us/token), "
                        + "overhead %.1f us/token",
                GENERATIONS,
                maxTokens,
                tokens,
                chunks,
                tokens / serverSeconds,
                serverSeconds / tokens * 1e6,
                tokens / clientSeconds,
                clientSeconds / tokens * 1e6,
                (clientSeconds - serverSeconds) / tokens * 1e6);
    }

    private static GenerationRequest generation(int maxTokens, long seed) {
        return GenerationRequest.text(
                "llm",
                " <|User|>:hello\n<eoh> <|Bot|>:",
                new SamplingParams(maxTokens, 1f, null, null, null, seed, List.of(), null, null));
    }

    private double counter(String name) {
        var counter = meterRegistry.find(name).tag("model", "llm").counter();
        return counter == null ? 0 : counter.count();
    }

    private static double timePerCall(ThrowingRunnable call) throws OrtException {
        for (int i = 0; i < WARMUP; i++) {
            call.run();
        }
        long start = System.nanoTime();
        for (int i = 0; i < CALLS; i++) {
            call.run();
        }
        return (System.nanoTime() - start) / 1e3 / CALLS;
    }

    private void record(String format, Object... values) {
        String line = String.format(Locale.ROOT, format, values);
        report.add(line);
        System.out.println(line);
    }

    @FunctionalInterface
    private interface ThrowingRunnable {
        void run() throws OrtException;
    }
}
