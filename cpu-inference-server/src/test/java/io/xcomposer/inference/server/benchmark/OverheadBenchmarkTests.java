package io.xcomposer.inference.server.benchmark;

import java.nio.FloatBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;

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
import io.xcomposer.inference.server.grpc.GrpcServerLifecycle;
import io.xcomposer.inference.server.metrics.InferenceMetrics;
import io.xcomposer.inference.server.repository.OrtSessions;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;

/**
 * Per-call overhead of unary inference (client → server over loopback vs ONNX Runtime called directly on the same
 * model file) and per-token overhead of streaming (server-side decode rate vs what the client observes). Dynamic
 * batching is off so that a lone request does not wait for its batch window. Results go to stdout and
 * {@code target/benchmark.txt}.
 */
@Tag("benchmark")
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.NONE, properties = {
        "xcomposer.server.repository=src/test/resources/fixture-repo",
        "xcomposer.server.grpc-port=0",
        "xcomposer.server.dynamic-batching=false"})
class OverheadBenchmarkTests {

    private static final int WARMUP = 500;
    private static final int CALLS = 3000;
    private static final int TOKENS = 3000;
    private static final long[] SHAPE = {1, 3, 8, 8};

    @Autowired
    private GrpcServerLifecycle grpcServer;

    @Autowired
    private MeterRegistry meterRegistry;

    private final List<String> report = new ArrayList<>();

    @Test
    void measure() throws Exception {
        try (TritonClient client = TritonClient.connect(TritonClientOptions.of("localhost", grpcServer.port()))) {
            unaryOverhead(client);
            streamingOverhead(client);
        }
        Files.write(Path.of("target/benchmark.txt"), report);
    }

    private void unaryOverhead(TritonClient client) throws OrtException {
        float[] pixels = new float[3 * 8 * 8];
        Random random = new Random(1);
        for (int i = 0; i < pixels.length; i++) {
            pixels[i] = (float) random.nextGaussian();
        }
        InferRequest request = InferRequest.of("vision_encoder", List.of(Tensor.fp32("pixel_values", SHAPE, pixels)));
        OrtEnvironment environment = OrtEnvironment.getEnvironment();
        try (OrtSession.SessionOptions options = OrtSessions.options(1);
                OrtSession session = environment.createSession(
                        FixtureRepository.file("vision_encoder", "model.onnx").toString(), options)) {
            double directMicros = timePerCall(() -> {
                try (OnnxTensor input = OnnxTensor.createTensor(environment, FloatBuffer.wrap(pixels), SHAPE);
                        OrtSession.Result result = session.run(Map.of("pixel_values", input))) {
                    ((OnnxTensor) result.get(0)).getFloatBuffer();
                }
            });
            double servedMicros = timePerCall(() -> client.infer(request).block(Duration.ofSeconds(10)));
            ModelInferRequest.Builder message = ModelInferRequest.newBuilder().setModelName("vision_encoder");
            TensorCodec.addInputs(message, request.inputs());
            ManagedChannel channel = ManagedChannelBuilder.forAddress("localhost", grpcServer.port()).usePlaintext()
                    .build();
            var stub = GRPCInferenceServiceGrpc.newBlockingStub(channel);
            double stubMicros = timePerCall(() -> stub.modelInfer(message.build()));
            channel.shutdownNow();
            record("unary vision_encoder [1,3,8,8] (fixture), %d sequential calls: ORT direct %.1f us/call, "
                    + "TritonClient->server %.1f us/call (overhead %.1f), plain blocking stub->server %.1f us/call "
                    + "(overhead %.1f)", CALLS, directMicros, servedMicros, servedMicros - directMicros, stubMicros,
                    stubMicros - directMicros);
        }
    }

    private void streamingOverhead(TritonClient client) {
        GenerationRequest warmup = GenerationRequest.text("llm", "hello",
                new SamplingParams(500, 1f, null, null, null, 1L, List.of()));
        client.generate(warmup).blockLast(Duration.ofSeconds(60));
        double computeBefore = counter(InferenceMetrics.COMPUTE_INFER_DURATION);
        double tokensBefore = counter(InferenceMetrics.GENERATED_TOKENS);

        GenerationRequest request = GenerationRequest.text("llm", "hello",
                new SamplingParams(TOKENS, 1f, null, null, null, 2L, List.of()));
        long start = System.nanoTime();
        long[] firstChunkAt = {0};
        List<GenerationChunk> chunks = client.generate(request)
                .doOnNext(chunk -> {
                    if (firstChunkAt[0] == 0) {
                        firstChunkAt[0] = System.nanoTime();
                    }
                })
                .collectList()
                .block(Duration.ofSeconds(120));
        long end = System.nanoTime();

        int tokens = chunks.get(chunks.size() - 1).completionTokens();
        double serverSeconds = (counter(InferenceMetrics.COMPUTE_INFER_DURATION) - computeBefore) / 1e6;
        double serverTokens = counter(InferenceMetrics.GENERATED_TOKENS) - tokensBefore;
        double clientSeconds = (end - start) / 1e9;
        record("streaming llm (fixture), %d tokens, %d chunks: server %.0f tokens/s (%.1f us/token), "
                + "client-observed %.0f tokens/s (%.1f us/token incl. prefill), first chunk after %.2f ms, "
                + "per-token overhead %.1f us", tokens, chunks.size(), serverTokens / serverSeconds,
                serverSeconds / serverTokens * 1e6, tokens / clientSeconds, clientSeconds / tokens * 1e6,
                (firstChunkAt[0] - start) / 1e6, (clientSeconds - serverSeconds) / tokens * 1e6);
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
