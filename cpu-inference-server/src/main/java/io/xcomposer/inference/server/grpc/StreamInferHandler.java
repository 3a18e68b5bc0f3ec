package io.xcomposer.inference.server.grpc;

import io.grpc.Status;
import io.grpc.stub.ServerCallStreamObserver;
import io.grpc.stub.StreamObserver;
import io.xcomposer.inference.client.contract.LlmContract;
import io.xcomposer.inference.client.generation.TokenLogprob;
import io.xcomposer.inference.grpc.ModelInferRequest;
import io.xcomposer.inference.grpc.ModelStreamInferResponse;
import io.xcomposer.inference.server.InferenceException;
import io.xcomposer.inference.server.generation.FinishReason;
import io.xcomposer.inference.server.generation.GenerationListener;
import java.util.List;
import java.util.concurrent.CompletionException;

/**
 * One ModelStreamInfer call. Requests may interleave; each response echoes its request's id. Request errors go in
 * {@code error_message} and the stream stays open (Triton's default), with one exception: when every generation
 * slot is busy the call ends with status UNAVAILABLE, so that clients see the standard retryable code (the
 * contract's "one call per generation" makes this end only the refused generation's call).
 */
final class StreamInferHandler implements StreamObserver<ModelInferRequest> {

    private final ServerCallStreamObserver<ModelStreamInferResponse> responses;
    private final ModelDispatch dispatch;
    private final Object lock = new Object();
    private volatile boolean cancelled;
    private int active;
    private boolean halfClosed;
    private boolean closed;

    StreamInferHandler(ServerCallStreamObserver<ModelStreamInferResponse> responses, ModelDispatch dispatch) {
        this.responses = responses;
        this.dispatch = dispatch;
        responses.setOnCancelHandler(() -> cancelled = true);
    }

    @Override
    public void onNext(ModelInferRequest request) {
        synchronized (lock) {
            active++;
        }
        try {
            dispatch.stream(request, version -> new Listener(request, version), (response, error) -> {
                if (error == null) {
                    send(StreamResponses.unary(response));
                    requestDone();
                } else {
                    fail(request, error);
                }
            });
        } catch (InferenceException e) {
            if (e.code() == Status.Code.UNAVAILABLE) {
                endCall(e);
            } else {
                fail(request, e);
            }
        } catch (RuntimeException e) {
            // Anything unexpected is still this request's error; the stream and its other requests go on.
            fail(request, e);
        }
    }

    @Override
    public void onError(Throwable error) {
        cancelled = true;
    }

    @Override
    public void onCompleted() {
        synchronized (lock) {
            halfClosed = true;
            completeIfIdle();
        }
    }

    private void fail(ModelInferRequest request, Throwable error) {
        Throwable cause = error instanceof CompletionException && error.getCause() != null ? error.getCause() : error;
        String message = String.valueOf(cause.getMessage());
        boolean refused =
                cause instanceof InferenceException inference && inference.code() == Status.Code.INVALID_ARGUMENT;
        send(StreamResponses.error(request, refused ? LlmContract.invalidInput(message) : message));
        requestDone();
    }

    private void endCall(InferenceException error) {
        synchronized (lock) {
            cancelled = true;
            if (!closed) {
                closed = true;
                responses.onError(error.toStatusException());
            }
        }
    }

    private void send(ModelStreamInferResponse response) {
        synchronized (lock) {
            if (!closed && !cancelled) {
                responses.onNext(response);
            }
        }
    }

    private void requestDone() {
        synchronized (lock) {
            active--;
            completeIfIdle();
        }
    }

    private void completeIfIdle() {
        if (halfClosed && active == 0 && !closed) {
            closed = true;
            if (!cancelled) {
                responses.onCompleted();
            }
        }
    }

    /** Streams one generation's output as responses to its request. */
    private final class Listener implements GenerationListener {

        private final ModelInferRequest request;
        private final String version;

        Listener(ModelInferRequest request, String version) {
            this.request = request;
            this.version = version;
        }

        @Override
        public void onText(String delta) {
            onText(delta, List.of());
        }

        @Override
        public void onText(String delta, List<TokenLogprob> logprobs) {
            send(StreamResponses.textDelta(request, version, delta, logprobs));
        }

        @Override
        public void onFinished(String text, FinishReason reason, int promptTokens, int completionTokens) {
            onFinished(text, List.of(), reason, promptTokens, completionTokens);
        }

        @Override
        public void onFinished(
                String text, List<TokenLogprob> logprobs, FinishReason reason, int promptTokens, int completionTokens) {
            send(StreamResponses.finished(request, version, text, logprobs, reason, promptTokens, completionTokens));
            requestDone();
        }

        @Override
        public void onFailed(String message) {
            send(StreamResponses.error(request, message));
            requestDone();
        }

        @Override
        public boolean isCancelled() {
            return cancelled;
        }
    }
}
