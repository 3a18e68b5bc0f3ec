package io.xcomposer.inference.client;

import com.google.protobuf.MessageLite;
import io.grpc.stub.ClientCallStreamObserver;
import io.grpc.stub.ClientResponseObserver;
import io.xcomposer.inference.client.error.GrpcErrors;
import org.jspecify.annotations.Nullable;
import reactor.core.publisher.MonoSink;

/** Bridges one unary gRPC call to a {@link MonoSink}; cancelling the Mono cancels the call. */
final class UnaryCallObserver<Q, R extends MessageLite> implements ClientResponseObserver<Q, R> {

    private final MonoSink<R> sink;

    private final @Nullable String model;

    private final ClientMetrics metrics;

    private @Nullable R response;

    /** After a cancel gRPC still reports CANCELLED; the Mono is gone by then and must not see it. */
    private volatile boolean cancelled;

    UnaryCallObserver(MonoSink<R> sink, @Nullable String model, ClientMetrics metrics) {
        this.sink = sink;
        this.model = model;
        this.metrics = metrics;
    }

    @Override
    public void beforeStart(ClientCallStreamObserver<Q> call) {
        this.sink.onCancel(() -> {
            this.cancelled = true;
            call.cancel("cancelled by the subscriber", null);
        });
    }

    @Override
    public void onNext(R value) {
        this.metrics.responseReceived(value.getSerializedSize());
        this.response = value;
    }

    @Override
    public void onError(Throwable error) {
        if (this.cancelled) {
            return;
        }
        this.sink.error(GrpcErrors.map(error, this.model));
    }

    @Override
    public void onCompleted() {
        this.sink.success(this.response);
    }
}
