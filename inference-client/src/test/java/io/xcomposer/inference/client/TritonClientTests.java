package io.xcomposer.inference.client;

import static org.assertj.core.api.Assertions.assertThat;

import io.grpc.BindableService;
import io.grpc.ManagedChannel;
import io.grpc.Metadata;
import io.grpc.Server;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.grpc.ServerInterceptors;
import io.grpc.Status;
import io.grpc.inprocess.InProcessChannelBuilder;
import io.grpc.inprocess.InProcessServerBuilder;
import io.grpc.stub.ServerCallStreamObserver;
import io.grpc.stub.StreamObserver;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.xcomposer.inference.client.contract.LlmContract;
import io.xcomposer.inference.client.error.ContextLengthExceededException;
import io.xcomposer.inference.client.error.InferenceTimeoutException;
import io.xcomposer.inference.client.error.InferenceUnsupportedException;
import io.xcomposer.inference.client.error.ModelNotFoundException;
import io.xcomposer.inference.client.error.ServerUnavailableException;
import io.xcomposer.inference.client.generation.GenerationChunk;
import io.xcomposer.inference.client.generation.GenerationRequest;
import io.xcomposer.inference.client.generation.SamplingParams;
import io.xcomposer.inference.client.tensor.Tensor;
import io.xcomposer.inference.client.tensor.TensorCodec;
import io.xcomposer.inference.grpc.GRPCInferenceServiceGrpc.GRPCInferenceServiceImplBase;
import io.xcomposer.inference.grpc.InferParameter;
import io.xcomposer.inference.grpc.ModelConfig;
import io.xcomposer.inference.grpc.ModelConfigRequest;
import io.xcomposer.inference.grpc.ModelConfigResponse;
import io.xcomposer.inference.grpc.ModelInferRequest;
import io.xcomposer.inference.grpc.ModelInferResponse;
import io.xcomposer.inference.grpc.ModelReadyRequest;
import io.xcomposer.inference.grpc.ModelReadyResponse;
import io.xcomposer.inference.grpc.ModelStreamInferResponse;
import io.xcomposer.inference.grpc.ServerReadyRequest;
import io.xcomposer.inference.grpc.ServerReadyResponse;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import reactor.test.StepVerifier;

class TritonClientTests {

    private static final Duration WAIT = Duration.ofSeconds(5);

    private final SimpleMeterRegistry meters = new SimpleMeterRegistry();

    private final List<Metadata> receivedHeaders = new CopyOnWriteArrayList<>();

    private Server server;

    private TritonClient client;

    @AfterEach
    void stop() {
        this.client.close();
        this.server.shutdownNow();
    }

    @Test
    void infer_sendsRawInputsAndReadsRawOutputs() {
        AtomicReference<ModelInferRequest> received = new AtomicReference<>();
        start(new GRPCInferenceServiceImplBase() {
            @Override
            public void modelInfer(ModelInferRequest request, StreamObserver<ModelInferResponse> responses) {
                received.set(request);
                float[] input = TensorCodec.readInputs(request).get(0).asFloats();
                ModelInferResponse.Builder response = ModelInferResponse.newBuilder()
                        .setModelName(request.getModelName())
                        .setModelVersion("1")
                        .setId(request.getId());
                TensorCodec.addOutputs(response, List.of(Tensor.fp32("embedding", new long[] {1, 2}, new float[] {
                    input[0] * 2, input[1] * 2
                })));
                responses.onNext(response.build());
                responses.onCompleted();
            }
        });
        InferRequest request = new InferRequest(
                "text_embedder",
                null,
                "req-7",
                List.of(Tensor.fp32("x", new long[] {1, 2}, new float[] {1.5f, -3f})),
                List.of("embedding"),
                Map.of("priority_hint", 3L),
                null);

        InferResult result = this.client.infer(request).block(WAIT);

        assertThat(result.id()).isEqualTo("req-7");
        assertThat(result.version()).isEqualTo("1");
        assertThat(result.output("embedding").asFloats()).containsExactly(3f, -6f);
        assertThat(received.get().getRawInputContentsCount()).isEqualTo(1);
        assertThat(received.get().getOutputs(0).getName()).isEqualTo("embedding");
        assertThat(received.get().getParametersMap().get("priority_hint").getInt64Param())
                .isEqualTo(3L);
        assertThat(this.receivedHeaders.get(0).get(TritonClient.REQUEST_ID_HEADER))
                .isEqualTo("req-7");
        assertThat(this.meters
                        .get(ClientMetrics.REQUESTS)
                        .tags("model", "text_embedder", "rpc", "ModelInfer", "outcome", "ok")
                        .timer()
                        .count())
                .isEqualTo(1);
        assertThat(this.meters
                        .get(ClientMetrics.BYTES)
                        .tag("direction", "request")
                        .counter()
                        .count())
                .isEqualTo(received.get().getSerializedSize());
    }

    @Test
    void infer_unknownModel_failsWithModelNotFound() {
        start(new GRPCInferenceServiceImplBase() {
            @Override
            public void modelInfer(ModelInferRequest request, StreamObserver<ModelInferResponse> responses) {
                responses.onError(
                        Status.NOT_FOUND.withDescription("unknown model 'nope'").asRuntimeException());
            }
        });

        this.client
                .infer(InferRequest.of("nope", List.of()))
                .as(StepVerifier::create)
                .expectErrorSatisfies(error -> assertThat(error)
                        .isInstanceOf(ModelNotFoundException.class)
                        .hasMessage("model 'nope' answered NOT_FOUND: unknown model 'nope'")
                        .satisfies(notFound -> assertThat(((ModelNotFoundException) notFound).model())
                                .isEqualTo("nope")))
                .verify(WAIT);
        assertThat(this.meters
                        .get(ClientMetrics.REQUESTS)
                        .tag("outcome", "NOT_FOUND")
                        .timer()
                        .count())
                .isEqualTo(1);
        assertThat(this.receivedHeaders.get(0).get(TritonClient.REQUEST_ID_HEADER))
                .isNull();
    }

    @Test
    void infer_onDecoupledModel_failsAsUnsupported() {
        start(new GRPCInferenceServiceImplBase() {
            @Override
            public void modelInfer(ModelInferRequest request, StreamObserver<ModelInferResponse> responses) {
                responses.onError(Status.UNIMPLEMENTED.asRuntimeException());
            }
        });

        this.client
                .infer(InferRequest.of("llm", List.of()))
                .as(StepVerifier::create)
                .expectError(InferenceUnsupportedException.class)
                .verify(WAIT);
    }

    @Test
    void busyServer_failsAsUnavailableWithItsRetryPushback() {
        start(new GRPCInferenceServiceImplBase() {
            @Override
            public void modelConfig(ModelConfigRequest request, StreamObserver<ModelConfigResponse> responses) {
                Metadata trailers = new Metadata();
                trailers.put(Metadata.Key.of("grpc-retry-pushback-ms", Metadata.ASCII_STRING_MARSHALLER), "250");
                responses.onError(Status.UNAVAILABLE
                        .withDescription("at concurrency limit")
                        .asRuntimeException(trailers));
            }
        });

        this.client
                .modelConfig("llm")
                .as(StepVerifier::create)
                .expectErrorSatisfies(error -> assertThat(((ServerUnavailableException) error).retryAfter())
                        .isEqualTo(Duration.ofMillis(250)))
                .verify(WAIT);
    }

    @Test
    void unaryCall_pastItsDeadline_failsWithTimeout() {
        start(
                new GRPCInferenceServiceImplBase() {
                    @Override
                    public void modelConfig(ModelConfigRequest request, StreamObserver<ModelConfigResponse> responses) {
                        // Never answers.
                    }
                },
                Duration.ofMillis(100));

        this.client
                .modelConfig("llm")
                .as(StepVerifier::create)
                .expectError(InferenceTimeoutException.class)
                .verify(WAIT);
    }

    @Test
    void modelConfig_returnsTheConfig() {
        start(new GRPCInferenceServiceImplBase() {
            @Override
            public void modelConfig(ModelConfigRequest request, StreamObserver<ModelConfigResponse> responses) {
                responses.onNext(ModelConfigResponse.newBuilder()
                        .setConfig(ModelConfig.newBuilder()
                                .setName(request.getName())
                                .setMaxBatchSize(8))
                        .build());
                responses.onCompleted();
            }
        });

        assertThat(this.client.modelConfig("vision_encoder").block(WAIT).getMaxBatchSize())
                .isEqualTo(8);
    }

    @Test
    void generate_streamsDeltasAndCompletesOnTheFinalResponse() {
        AtomicReference<ModelInferRequest> received = new AtomicReference<>();
        start(new StreamingLlm((request, responses) -> {
            received.set(request);
            responses.onNext(streamed(chunk(request, "Hel", false)));
            responses.onNext(streamed(chunk(request, "lo", false)));
            ModelInferResponse.Builder last = chunk(request, "", true);
            TensorCodec.addOutputs(
                    last,
                    List.of(
                            Tensor.strings(LlmContract.FINISH_REASON, new long[] {1}, List.of("stop")),
                            Tensor.int32(LlmContract.PROMPT_TOKENS, new long[] {1}, new int[] {12}),
                            Tensor.int32(LlmContract.COMPLETION_TOKENS, new long[] {1}, new int[] {2})));
            responses.onNext(streamed(last));
            responses.onCompleted();
        }));
        GenerationRequest request = new GenerationRequest(
                "llm",
                "Hi",
                null,
                new SamplingParams(16, 0.7f, null, null, null, 42L, List.of("\n\n"), null, null),
                "gen-1",
                null);

        this.client
                .generate(request)
                .as(StepVerifier::create)
                .expectNext(new GenerationChunk("Hel", false, null, null, null, "gen-1"))
                .expectNext(new GenerationChunk("lo", false, null, null, null, "gen-1"))
                .expectNext(new GenerationChunk("", true, "stop", 12, 2, "gen-1"))
                .expectComplete()
                .verify(WAIT);

        Map<String, Tensor> inputs = byName(TensorCodec.readInputs(received.get()));
        assertThat(inputs).containsOnlyKeys("text_input", "max_tokens", "temperature", "seed", "stop_words");
        assertThat(inputs.get("text_input").asStrings()).containsExactly("Hi");
        assertThat(inputs.get("max_tokens").asInts()).containsExactly(16);
        assertThat(inputs.get("temperature").asFloats()).containsExactly(0.7f);
        assertThat(inputs.get("seed").asLongs()).containsExactly(42L);
        assertThat(inputs.get("stop_words").asStrings()).containsExactly("\n\n");
        assertThat(received.get().getId()).isEqualTo("gen-1");
        assertThat(received.get()
                        .getParametersMap()
                        .get("triton_enable_empty_final_response")
                        .getBoolParam())
                .isTrue();
        assertThat(this.meters
                        .get(ClientMetrics.TOKEN_USAGE)
                        .tags(ClientMetrics.TOKEN_TYPE, "output", ClientMetrics.MODEL, "llm")
                        .summary()
                        .totalAmount())
                .isEqualTo(2);
        assertThat(this.meters.get(ClientMetrics.TIME_TO_FIRST_CHUNK).timer().count())
                .isEqualTo(1);
        assertThat(this.meters
                        .get(ClientMetrics.OPERATION_DURATION)
                        .tags(ClientMetrics.OPERATION, ClientMetrics.TEXT_COMPLETION)
                        .timer()
                        .count())
                .isEqualTo(1);
        assertThat(this.meters
                        .get(ClientMetrics.REQUESTS)
                        .tags("rpc", "ModelStreamInfer", "outcome", "ok")
                        .timer()
                        .count())
                .isEqualTo(1);
    }

    @Test
    void generate_streamErrorMessage_failsTypedAndCancelsTheCall() throws InterruptedException {
        StreamingLlm llm = new StreamingLlm((request, responses) -> {
            // Triton's default mode: the error travels as a message and the stream stays open.
            responses.onNext(ModelStreamInferResponse.newBuilder()
                    .setErrorMessage("context length exceeded: prompt has 600 tokens, context_length is 512")
                    .build());
        });
        start(llm);

        this.client
                .generate(GenerationRequest.text("llm", "long prompt", SamplingParams.greedy(8)))
                .as(StepVerifier::create)
                .expectErrorSatisfies(error -> assertThat(error)
                        .isInstanceOf(ContextLengthExceededException.class)
                        .hasMessageStartingWith("context length exceeded:"))
                .verify(WAIT);
        assertThat(llm.cancelled.await(5, TimeUnit.SECONDS))
                .as("server saw the call cancelled")
                .isTrue();
    }

    @Test
    void generate_cancelledByTheSubscriber_cancelsTheServerCall() throws InterruptedException {
        StreamingLlm llm = new StreamingLlm((request, responses) -> {
            responses.onNext(streamed(chunk(request, "one", false)));
            responses.onNext(streamed(chunk(request, "two", false)));
            // No final response: only a client cancel ends this generation.
        });
        start(llm);

        this.client
                .generate(GenerationRequest.text("llm", "Hi", SamplingParams.modelDefaults()))
                .take(1)
                .as(StepVerifier::create)
                .expectNextMatches(chunk -> chunk.textDelta().equals("one"))
                .expectComplete()
                .verify(WAIT);
        assertThat(llm.cancelled.await(5, TimeUnit.SECONDS))
                .as("server saw the call cancelled")
                .isTrue();
        assertThat(this.meters
                        .get(ClientMetrics.REQUESTS)
                        .tag("outcome", "CANCELLED")
                        .timer()
                        .count())
                .isEqualTo(1);
    }

    @Test
    void generate_finishedNormally_doesNotCancelTheServerCall() throws InterruptedException {
        CountDownLatch finished = new CountDownLatch(1);
        StreamingLlm llm = new StreamingLlm((request, responses) -> {
            responses.onNext(streamed(chunk(request, "done", true)));
            responses.onCompleted();
            finished.countDown();
        });
        start(llm);

        this.client
                .generate(GenerationRequest.text("llm", "Hi", SamplingParams.modelDefaults()))
                .as(StepVerifier::create)
                .expectNextMatches(GenerationChunk::last)
                .expectComplete()
                .verify(WAIT);
        assertThat(finished.await(5, TimeUnit.SECONDS)).isTrue();
        assertThat(llm.cancelled.getCount()).as("cancel handler not run").isEqualTo(1);
    }

    @Test
    void awaitReady_pollsWithBackoffUntilServerAndModelsAreReady() {
        AtomicInteger serverPolls = new AtomicInteger();
        AtomicInteger modelPolls = new AtomicInteger();
        start(new GRPCInferenceServiceImplBase() {
            @Override
            public void serverReady(ServerReadyRequest request, StreamObserver<ServerReadyResponse> responses) {
                responses.onNext(ServerReadyResponse.newBuilder()
                        .setReady(serverPolls.incrementAndGet() > 2)
                        .build());
                responses.onCompleted();
            }

            @Override
            public void modelReady(ModelReadyRequest request, StreamObserver<ModelReadyResponse> responses) {
                if (modelPolls.incrementAndGet() == 1) {
                    responses.onError(Status.NOT_FOUND.asRuntimeException());
                    return;
                }
                responses.onNext(ModelReadyResponse.newBuilder().setReady(true).build());
                responses.onCompleted();
            }
        });

        StepVerifier.withVirtualTime(() -> this.client.awaitReady(Duration.ofSeconds(60), "llm"))
                .thenAwait(Duration.ofSeconds(30))
                .expectComplete()
                .verify(WAIT);

        // Not ready, not ready, ready + model not found, ready + model ready.
        assertThat(serverPolls.get()).isEqualTo(4);
        assertThat(modelPolls.get()).isEqualTo(2);
    }

    @Test
    void awaitReady_givesUpAfterItsTimeout() {
        AtomicInteger serverPolls = new AtomicInteger();
        start(new GRPCInferenceServiceImplBase() {
            @Override
            public void serverReady(ServerReadyRequest request, StreamObserver<ServerReadyResponse> responses) {
                serverPolls.incrementAndGet();
                responses.onError(Status.UNAVAILABLE.asRuntimeException());
            }
        });

        StepVerifier.withVirtualTime(() -> this.client.awaitReady(Duration.ofSeconds(10)))
                .thenAwait(Duration.ofSeconds(11))
                .expectErrorSatisfies(error -> assertThat(error)
                        .isInstanceOf(InferenceTimeoutException.class)
                        .hasMessageContaining("not ready within PT10S"))
                .verify(WAIT);
        // 200 ms doubling (with jitter) fits a handful of polls into 10 s, far fewer than fixed-rate polling would.
        assertThat(serverPolls.get()).isBetween(3, 10);
    }

    private void start(BindableService service) {
        start(service, TritonClientOptions.DEFAULT_UNARY_DEADLINE);
    }

    private void start(BindableService service, Duration unaryDeadline) {
        String name = InProcessServerBuilder.generateName();
        ServerInterceptor headerCapture = new ServerInterceptor() {
            @Override
            public <Q, R> ServerCall.Listener<Q> interceptCall(
                    ServerCall<Q, R> call, Metadata headers, ServerCallHandler<Q, R> next) {
                TritonClientTests.this.receivedHeaders.add(headers);
                return next.startCall(call, headers);
            }
        };
        try {
            this.server = InProcessServerBuilder.forName(name)
                    .directExecutor()
                    .addService(ServerInterceptors.intercept(service, headerCapture))
                    .build()
                    .start();
        } catch (java.io.IOException impossible) {
            throw new IllegalStateException(impossible);
        }
        ManagedChannel channel =
                InProcessChannelBuilder.forName(name).directExecutor().build();
        TritonClientOptions options = new TritonClientOptions(
                "in-process",
                0,
                false,
                unaryDeadline,
                TritonClientOptions.DEFAULT_GENERATION_DEADLINE,
                TritonClientOptions.DEFAULT_MAX_INBOUND_MESSAGE_BYTES);
        this.client = new TritonClient(channel, options, this.meters);
    }

    private static ModelInferResponse.Builder chunk(ModelInferRequest request, String text, boolean last) {
        ModelInferResponse.Builder response = ModelInferResponse.newBuilder()
                .setModelName(request.getModelName())
                .setId(request.getId())
                .putParameters(
                        LlmContract.FINAL_RESPONSE_PARAMETER,
                        InferParameter.newBuilder().setBoolParam(last).build());
        TensorCodec.addOutputs(
                response, List.of(Tensor.strings(LlmContract.TEXT_OUTPUT, new long[] {1}, List.of(text))));
        return response;
    }

    private static ModelStreamInferResponse streamed(ModelInferResponse.Builder response) {
        return ModelStreamInferResponse.newBuilder().setInferResponse(response).build();
    }

    private static Map<String, Tensor> byName(List<Tensor> tensors) {
        Map<String, Tensor> byName = new java.util.LinkedHashMap<>();
        tensors.forEach(tensor -> byName.put(tensor.name(), tensor));
        return byName;
    }

    /** A fake llm: hands each stream request to {@code behaviour}, which writes the responses it wants. */
    private static final class StreamingLlm extends GRPCInferenceServiceImplBase {

        private final java.util.function.BiConsumer<
                        ModelInferRequest, ServerCallStreamObserver<ModelStreamInferResponse>>
                behaviour;

        /** Counted down when the client cancels; gRPC only accepts the handler while the service method runs. */
        final CountDownLatch cancelled = new CountDownLatch(1);

        StreamingLlm(
                java.util.function.BiConsumer<ModelInferRequest, ServerCallStreamObserver<ModelStreamInferResponse>>
                        behaviour) {
            this.behaviour = behaviour;
        }

        @Override
        public StreamObserver<ModelInferRequest> modelStreamInfer(StreamObserver<ModelStreamInferResponse> responses) {
            ServerCallStreamObserver<ModelStreamInferResponse> call =
                    (ServerCallStreamObserver<ModelStreamInferResponse>) responses;
            call.setOnCancelHandler(this.cancelled::countDown);
            return new StreamObserver<>() {
                @Override
                public void onNext(ModelInferRequest request) {
                    StreamingLlm.this.behaviour.accept(request, call);
                }

                @Override
                public void onError(Throwable error) {}

                @Override
                public void onCompleted() {}
            };
        }
    }
}
