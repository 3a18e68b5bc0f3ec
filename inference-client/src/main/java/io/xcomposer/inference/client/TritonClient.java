package io.xcomposer.inference.client;

import com.google.protobuf.MessageLite;
import io.grpc.ManagedChannel;
import io.grpc.Metadata;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.grpc.stub.MetadataUtils;
import io.grpc.stub.StreamObserver;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.grpc.ObservationGrpcClientInterceptor;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.micrometer.observation.ObservationRegistry;
import io.xcomposer.inference.client.error.InferenceException;
import io.xcomposer.inference.client.error.InferenceTimeoutException;
import io.xcomposer.inference.client.error.ModelNotFoundException;
import io.xcomposer.inference.client.error.ServerUnavailableException;
import io.xcomposer.inference.client.generation.GenerationChunk;
import io.xcomposer.inference.client.generation.GenerationRequest;
import io.xcomposer.inference.client.generation.LlmTensors;
import io.xcomposer.inference.client.tensor.TensorCodec;
import io.xcomposer.inference.grpc.GRPCInferenceServiceGrpc;
import io.xcomposer.inference.grpc.GRPCInferenceServiceGrpc.GRPCInferenceServiceStub;
import io.xcomposer.inference.grpc.ModelConfig;
import io.xcomposer.inference.grpc.ModelConfigRequest;
import io.xcomposer.inference.grpc.ModelConfigResponse;
import io.xcomposer.inference.grpc.ModelInferRequest;
import io.xcomposer.inference.grpc.ModelInferResponse;
import io.xcomposer.inference.grpc.ModelMetadataRequest;
import io.xcomposer.inference.grpc.ModelMetadataResponse;
import io.xcomposer.inference.grpc.ModelReadyRequest;
import io.xcomposer.inference.grpc.ModelReadyResponse;
import io.xcomposer.inference.grpc.RepositoryIndexRequest;
import io.xcomposer.inference.grpc.RepositoryIndexResponse;
import io.xcomposer.inference.grpc.ServerLiveRequest;
import io.xcomposer.inference.grpc.ServerLiveResponse;
import io.xcomposer.inference.grpc.ServerReadyRequest;
import io.xcomposer.inference.grpc.ServerReadyResponse;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.BiConsumer;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.publisher.Flux;
import reactor.core.publisher.FluxSink;
import reactor.core.publisher.Mono;
import reactor.util.retry.Retry;

/**
 * Reactive client for one inference server (Triton or the CPU server) over one shared channel. Every call gets a
 * fresh deadline, maps gRPC failures to {@link InferenceException} subtypes, and is timed in Micrometer. The client
 * owns its channel: {@link #close()} shuts it down.
 */
public class TritonClient implements AutoCloseable {

    /** Sent with every call whose request has an id, so server logs can be joined with ours. */
    public static final Metadata.Key<String> REQUEST_ID_HEADER =
            Metadata.Key.of("x-request-id", Metadata.ASCII_STRING_MARSHALLER);

    /**
     * Pings on a connection with calls in flight, so a model server that vanished without closing its sockets (a
     * lost node, a partition) fails the calls within {@code KEEPALIVE_TIME + KEEPALIVE_TIMEOUT} instead of leaving
     * streams hanging until their deadline. grpc-java servers accept pings this often while they send data (each
     * response resets their ping counter); the CPU server permits them outright ({@code permitKeepAliveTime}).
     */
    static final Duration KEEPALIVE_TIME = Duration.ofSeconds(30);

    static final Duration KEEPALIVE_TIMEOUT = Duration.ofSeconds(10);

    /**
     * Longest wait between two reconnect attempts. grpc-java backs off up to 2 minutes after failed connects, so a
     * model server restarted after an outage of a few seconds would stay unused for 7-22 s; {@link ReconnectPacer}
     * cuts the wait to this.
     */
    static final Duration MAX_RECONNECT_BACKOFF = Duration.ofMillis(500);

    static final Duration READY_FIRST_BACKOFF = Duration.ofMillis(200);

    static final Duration READY_MAX_BACKOFF = Duration.ofSeconds(5);

    private static final Logger log = LoggerFactory.getLogger(TritonClient.class);

    private final ManagedChannel channel;

    private final TritonClientOptions options;

    private final ClientMetrics metrics;

    private final ReconnectPacer reconnects;

    /** Takes ownership of {@code channel}; tests pass an in-process one. */
    public TritonClient(ManagedChannel channel, TritonClientOptions options, MeterRegistry meterRegistry) {
        this.channel = Objects.requireNonNull(channel, "channel");
        this.options = Objects.requireNonNull(options, "options");
        this.metrics = new ClientMetrics(meterRegistry);
        this.reconnects = ReconnectPacer.start(channel, MAX_RECONNECT_BACKOFF);
    }

    /** Opens a Netty channel to {@code options.host():options.port()}; connection happens lazily on first call. */
    public static TritonClient connect(TritonClientOptions options, MeterRegistry meterRegistry) {
        return connect(options, meterRegistry, null);
    }

    /** As {@link #connect(TritonClientOptions, MeterRegistry)}, presenting {@code serviceToken} unless null. */
    public static TritonClient connect(
            TritonClientOptions options, MeterRegistry meterRegistry, @Nullable String serviceToken) {
        return connect(options, meterRegistry, serviceToken, ObservationRegistry.NOOP);
    }

    /**
     * As {@link #connect(TritonClientOptions, MeterRegistry, String)}, with every call observed in
     * {@code observations}: a {@code grpc.client} span per call, child of the caller's current observation, whose
     * W3C {@code traceparent} travels in the call's metadata (Micrometer's gRPC instrumentation).
     */
    public static TritonClient connect(
            TritonClientOptions options,
            MeterRegistry meterRegistry,
            @Nullable String serviceToken,
            ObservationRegistry observations) {
        NettyChannelBuilder builder = NettyChannelBuilder.forAddress(options.host(), options.port())
                .maxInboundMessageSize(options.maxInboundMessageBytes())
                .keepAliveTime(KEEPALIVE_TIME.toSeconds(), TimeUnit.SECONDS)
                .keepAliveTimeout(KEEPALIVE_TIMEOUT.toSeconds(), TimeUnit.SECONDS);
        if (options.tls()) {
            builder.useTransportSecurity();
        } else {
            builder.usePlaintext();
        }
        if (serviceToken != null && !serviceToken.isBlank()) {
            builder.intercept(ServiceTokenMetadata.clientInterceptor(serviceToken.trim()));
        }
        if (!observations.isNoop()) {
            builder.intercept(new ObservationGrpcClientInterceptor(observations));
        }
        return new TritonClient(builder.build(), options, meterRegistry);
    }

    /** {@link #connect(TritonClientOptions, MeterRegistry)} with metrics kept in a private registry. */
    public static TritonClient connect(TritonClientOptions options) {
        return connect(options, new SimpleMeterRegistry());
    }

    public Mono<Boolean> serverLive() {
        return this.<ServerLiveResponse>unary(
                        "ServerLive",
                        null,
                        null,
                        null,
                        ServerLiveRequest.getDefaultInstance(),
                        (stub, observer) -> stub.serverLive(ServerLiveRequest.getDefaultInstance(), observer))
                .map(ServerLiveResponse::getLive);
    }

    public Mono<Boolean> serverReady() {
        return this.<ServerReadyResponse>unary(
                        "ServerReady",
                        null,
                        null,
                        null,
                        ServerReadyRequest.getDefaultInstance(),
                        (stub, observer) -> stub.serverReady(ServerReadyRequest.getDefaultInstance(), observer))
                .map(ServerReadyResponse::getReady);
    }

    /** Whether the latest version of {@code model} is ready; an unknown model fails with NOT_FOUND. */
    public Mono<Boolean> modelReady(String model) {
        ModelReadyRequest request =
                ModelReadyRequest.newBuilder().setName(model).build();
        return this.<ModelReadyResponse>unary(
                        "ModelReady",
                        model,
                        null,
                        null,
                        request,
                        (stub, observer) -> stub.modelReady(request, observer))
                .map(ModelReadyResponse::getReady);
    }

    /**
     * Completes once the server and every named model report ready, polling with exponential backoff (200 ms
     * doubling up to 5 s). Unavailable servers, unknown models and per-poll timeouts count as "not yet". Fails with
     * {@link InferenceTimeoutException} after {@code timeout}.
     */
    public Mono<Void> awaitReady(Duration timeout, String... models) {
        Objects.requireNonNull(timeout, "timeout");
        List<String> modelNames = List.of(models);
        Mono<Void> probe = Mono.defer(() -> Flux.concat(
                        serverReady().map(ready -> notReadyUnless(ready, "server")),
                        Flux.fromIterable(modelNames)
                                .concatMap(model ->
                                        modelReady(model).map(ready -> notReadyUnless(ready, "model '" + model + "'"))))
                .then());
        return probe.retryWhen(Retry.backoff(Long.MAX_VALUE, READY_FIRST_BACKOFF)
                        .maxBackoff(READY_MAX_BACKOFF)
                        .filter(TritonClient::isTransientStartupFailure)
                        .doBeforeRetry(signal -> log.debug(
                                "{} not ready yet: {}",
                                this.options.host(),
                                signal.failure().getMessage())))
                .timeout(timeout)
                .onErrorMap(
                        TimeoutException.class,
                        timedOut -> new InferenceTimeoutException(
                                null,
                                "inference server " + this.options.host() + ":" + this.options.port() + " with models "
                                        + Arrays.toString(models) + " not ready within " + timeout,
                                timedOut));
    }

    public Mono<ModelConfig> modelConfig(String model) {
        ModelConfigRequest request =
                ModelConfigRequest.newBuilder().setName(model).build();
        return this.<ModelConfigResponse>unary(
                        "ModelConfig",
                        model,
                        null,
                        null,
                        request,
                        (stub, observer) -> stub.modelConfig(request, observer))
                .map(ModelConfigResponse::getConfig);
    }

    public Mono<ModelMetadataResponse> modelMetadata(String model) {
        ModelMetadataRequest request =
                ModelMetadataRequest.newBuilder().setName(model).build();
        return unary(
                "ModelMetadata", model, null, null, request, (stub, observer) -> stub.modelMetadata(request, observer));
    }

    public Mono<List<RepositoryIndexResponse.ModelIndex>> repositoryIndex() {
        RepositoryIndexRequest request = RepositoryIndexRequest.getDefaultInstance();
        return this.<RepositoryIndexResponse>unary(
                        "RepositoryIndex",
                        null,
                        null,
                        null,
                        request,
                        (stub, observer) -> stub.repositoryIndex(request, observer))
                .map(RepositoryIndexResponse::getModelsList);
    }

    /** Unary ModelInfer with raw_input_contents; outputs are read from raw_output_contents or contents. */
    public Mono<InferResult> infer(InferRequest request) {
        Objects.requireNonNull(request, "request");
        ModelInferRequest message = toProto(request);
        return this.<ModelInferResponse>unary(
                        "ModelInfer",
                        request.model(),
                        request.id(),
                        request.deadline(),
                        message,
                        (stub, observer) -> stub.modelInfer(message, observer))
                .map(TritonClient::toResult);
    }

    /**
     * Streams one generation over its own ModelStreamInfer call. The Flux emits one chunk per server response and
     * completes after the final one; cancelling it (dispose, take, timeout) cancels the call so the server stops
     * decoding. A stream {@code error_message} ends it with an {@link InferenceException}
     * ({@link io.xcomposer.inference.client.error.ContextLengthExceededException} for an over-long prompt).
     */
    public Flux<GenerationChunk> generate(GenerationRequest request) {
        Objects.requireNonNull(request, "request");
        ModelInferRequest message = LlmTensors.toInferRequest(request);
        Duration deadline = request.deadline() != null ? request.deadline() : this.options.generationDeadline();
        Flux<GenerationChunk> chunks = Flux.create(
                sink -> startGeneration(sink, request, message, deadline), FluxSink.OverflowStrategy.BUFFER);
        return this.metrics.timed("ModelStreamInfer", request.model(), chunks);
    }

    /** Shuts the channel down, waiting briefly for calls in flight. */
    @Override
    public void close() {
        this.reconnects.close();
        this.channel.shutdown();
        try {
            if (!this.channel.awaitTermination(5, TimeUnit.SECONDS)) {
                this.channel.shutdownNow();
            }
        } catch (InterruptedException interrupted) {
            this.channel.shutdownNow();
            Thread.currentThread().interrupt();
        }
    }

    private void startGeneration(
            FluxSink<GenerationChunk> sink, GenerationRequest request, ModelInferRequest message, Duration deadline) {
        GenerationCallObserver observer = new GenerationCallObserver(sink, request.model(), this.metrics);
        StreamObserver<ModelInferRequest> requests =
                stub(deadline, request.requestId()).modelStreamInfer(observer);
        observer.linkToSubscriber();
        this.metrics.requestSent(message.getSerializedSize());
        requests.onNext(message);
        // Half-close: one request per call, so the server may close the stream once it sent the final response.
        requests.onCompleted();
    }

    private <R extends MessageLite> Mono<R> unary(
            String rpc,
            @Nullable String model,
            @Nullable String requestId,
            @Nullable Duration deadline,
            MessageLite request,
            BiConsumer<GRPCInferenceServiceStub, StreamObserver<R>> invocation) {
        Duration callDeadline = deadline != null ? deadline : this.options.unaryDeadline();
        Mono<R> call = Mono.create(sink -> {
            this.metrics.requestSent(request.getSerializedSize());
            invocation.accept(stub(callDeadline, requestId), new UnaryCallObserver<>(sink, model, this.metrics));
        });
        return this.metrics.timed(rpc, model, call);
    }

    /** A stub per call, so the deadline starts when the call does. */
    private GRPCInferenceServiceStub stub(Duration deadline, @Nullable String requestId) {
        GRPCInferenceServiceStub stub = GRPCInferenceServiceGrpc.newStub(this.channel)
                .withDeadlineAfter(deadline.toNanos(), TimeUnit.NANOSECONDS);
        if (requestId == null || requestId.isEmpty()) {
            return stub;
        }
        Metadata headers = new Metadata();
        headers.put(REQUEST_ID_HEADER, requestId);
        return stub.withInterceptors(MetadataUtils.newAttachHeadersInterceptor(headers));
    }

    private static ModelInferRequest toProto(InferRequest request) {
        ModelInferRequest.Builder message = ModelInferRequest.newBuilder()
                .setModelName(request.model())
                .putAllParameters(InferParameters.toProto(request.parameters()));
        if (request.version() != null) {
            message.setModelVersion(request.version());
        }
        if (request.id() != null) {
            message.setId(request.id());
        }
        request.requestedOutputs()
                .forEach(name -> message.addOutputs(ModelInferRequest.InferRequestedOutputTensor.newBuilder()
                        .setName(name)));
        TensorCodec.addInputs(message, request.inputs());
        return message.build();
    }

    private static InferResult toResult(ModelInferResponse response) {
        return new InferResult(
                response.getModelName(),
                response.getModelVersion(),
                response.getId(),
                TensorCodec.readOutputs(response),
                InferParameters.fromProto(response.getParametersMap()));
    }

    private static Object notReadyUnless(boolean ready, String what) {
        if (!ready) {
            throw new NotReadyException(what + " not ready");
        }
        return Boolean.TRUE;
    }

    private static boolean isTransientStartupFailure(Throwable failure) {
        return failure instanceof NotReadyException
                || failure instanceof ServerUnavailableException
                || failure instanceof ModelNotFoundException
                || failure instanceof InferenceTimeoutException;
    }

    /** A readiness probe answered false; only ever seen by the retry in {@link #awaitReady}. */
    private static final class NotReadyException extends RuntimeException {

        NotReadyException(String message) {
            super(message, null, false, false);
        }
    }
}
