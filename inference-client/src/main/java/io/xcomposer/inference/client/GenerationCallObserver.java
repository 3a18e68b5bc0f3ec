package io.xcomposer.inference.client;

import io.grpc.stub.ClientCallStreamObserver;
import io.grpc.stub.ClientResponseObserver;
import io.xcomposer.inference.client.error.GrpcErrors;
import io.xcomposer.inference.client.generation.GenerationChunk;
import io.xcomposer.inference.client.generation.LlmTensors;
import io.xcomposer.inference.grpc.ModelInferRequest;
import io.xcomposer.inference.grpc.ModelStreamInferResponse;
import java.time.Duration;
import java.util.Objects;
import org.jspecify.annotations.Nullable;
import reactor.core.publisher.FluxSink;

/**
 * Bridges one ModelStreamInfer call (one generation) to a {@link FluxSink}.
 * <ul>
 * <li>Flow control is manual: gRPC delivers a response only when the subscriber has requested a chunk, so a slow
 * subscriber slows the stream down instead of filling a buffer.</li>
 * <li>The Flux completes on the response flagged {@code triton_final_response}; {@code error_message} ends it with a
 * typed error.</li>
 * <li>If the Flux ends before the server finished (cancel, take, timeout, stream error), the call is cancelled so
 * the server stops decoding.</li>
 * </ul>
 */
final class GenerationCallObserver implements ClientResponseObserver<ModelInferRequest, ModelStreamInferResponse> {

    private final FluxSink<GenerationChunk> sink;

    private final String model;

    private final ClientMetrics metrics;

    private final long startNanos = System.nanoTime();

    /** The server is done with the request (final response or call closed): nothing left to cancel. */
    private volatile boolean serverFinished;

    /**
     * The sink already got its terminal signal (final response, stream error or subscriber cancel); the CANCELLED
     * or close that gRPC reports afterwards must not reach it.
     */
    private volatile boolean sinkDone;

    private boolean firstChunkSeen;

    /**
     * Responses received so far; a failure after the first one is an interrupted stream. gRPC calls the observer
     * serially, so a plain field suffices.
     */
    private long responses;

    private @Nullable ClientCallStreamObserver<ModelInferRequest> call;

    GenerationCallObserver(FluxSink<GenerationChunk> sink, String model, ClientMetrics metrics) {
        this.sink = sink;
        this.model = model;
        this.metrics = metrics;
    }

    @Override
    public void beforeStart(ClientCallStreamObserver<ModelInferRequest> call) {
        this.call = call;
        call.disableAutoRequestWithInitial(0);
    }

    /**
     * Links the started call to the subscriber: demand becomes gRPC requests, and ending the Flux early cancels
     * the call. Must run after the call started, since gRPC refuses {@code request} before that.
     */
    void linkToSubscriber() {
        ClientCallStreamObserver<ModelInferRequest> started = Objects.requireNonNull(this.call, "call not started");
        this.sink.onRequest(demand -> started.request((int) Math.min(demand, Integer.MAX_VALUE)));
        this.sink.onDispose(() -> {
            this.sinkDone = true;
            if (!this.serverFinished) {
                started.cancel("generation no longer wanted by the client", null);
            }
        });
    }

    @Override
    public void onNext(ModelStreamInferResponse response) {
        if (this.sinkDone) {
            return;
        }
        this.responses++;
        this.metrics.responseReceived(response.getSerializedSize());
        if (!response.getErrorMessage().isEmpty()) {
            this.sinkDone = true;
            this.sink.error(GrpcErrors.fromStreamError(response.getErrorMessage(), this.model));
            return;
        }
        GenerationChunk chunk = LlmTensors.toChunk(response.getInferResponse());
        if (!this.firstChunkSeen) {
            this.firstChunkSeen = true;
            this.metrics.firstToken(this.model, Duration.ofNanos(System.nanoTime() - this.startNanos));
        }
        if (chunk.last()) {
            // Set before emitting: completing the sink runs onDispose, which must not cancel a finished call.
            this.serverFinished = true;
            this.sinkDone = true;
            this.metrics.generationFinished(this.model, chunk);
            this.sink.next(chunk);
            this.sink.complete();
        } else {
            this.sink.next(chunk);
        }
    }

    @Override
    public void onError(Throwable error) {
        this.serverFinished = true;
        if (!this.sinkDone) {
            this.sink.error(GrpcErrors.mapStreamFailure(error, this.model, this.responses));
        }
    }

    @Override
    public void onCompleted() {
        this.serverFinished = true;
        // Normally the final response already ended the sink. A server that closes without one broke the contract,
        // and the subscriber must not hang.
        if (!this.sinkDone) {
            this.sink.error(
                    new IllegalStateException("model '" + this.model + "' closed the stream without a final response"));
        }
    }
}
