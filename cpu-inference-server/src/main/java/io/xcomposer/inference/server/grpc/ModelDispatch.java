package io.xcomposer.inference.server.grpc;

import io.grpc.Status;
import io.xcomposer.inference.grpc.ModelInferRequest;
import io.xcomposer.inference.grpc.ModelInferResponse;
import io.xcomposer.inference.server.InferenceException;
import io.xcomposer.inference.server.generation.DecoderModel;
import io.xcomposer.inference.server.generation.GenerationListener;
import io.xcomposer.inference.server.generation.GenerationService;
import io.xcomposer.inference.server.repository.ModelRepository;
import io.xcomposer.inference.server.runtime.ServedModel;
import io.xcomposer.inference.server.unary.UnaryInferenceService;
import io.xcomposer.inference.server.unary.UnaryModel;
import java.util.concurrent.CompletableFuture;
import java.util.function.BiConsumer;
import java.util.function.Function;
import org.springframework.stereotype.Component;

/** The one place that tells a decoupled (generating) model from a unary one, for both inference RPCs. */
@Component
class ModelDispatch {

    private final ModelRepository repository;
    private final UnaryInferenceService unary;
    private final GenerationService generations;

    ModelDispatch(ModelRepository repository, UnaryInferenceService unary, GenerationService generations) {
        this.repository = repository;
        this.unary = unary;
        this.generations = generations;
    }

    /**
     * ModelInfer: the unary model's response.
     *
     * @throws InferenceException NOT_FOUND / UNAVAILABLE from the repository, UNIMPLEMENTED for a decoupled model
     *     (Triton's answer: such models are served by ModelStreamInfer only)
     */
    CompletableFuture<ModelInferResponse> infer(ModelInferRequest request) {
        ServedModel model = this.repository.require(request.getModelName(), request.getModelVersion());
        if (model instanceof DecoderModel) {
            throw new InferenceException(
                    Status.Code.UNIMPLEMENTED,
                    "ModelInfer RPC doesn't support models with decoupled transaction policy");
        }
        return this.unary.infer((UnaryModel) model, request);
    }

    /**
     * ModelStreamInfer: a generation streams to the listener made for the served version; a unary model's one
     * response (or failure) goes to {@code answered}.
     *
     * @throws InferenceException when the request is refused before anything runs
     */
    void stream(
            ModelInferRequest request,
            Function<String, GenerationListener> listenerForVersion,
            BiConsumer<ModelInferResponse, Throwable> answered) {
        ServedModel model = this.repository.require(request.getModelName(), request.getModelVersion());
        if (model instanceof DecoderModel decoder) {
            this.generations.start(decoder, request, listenerForVersion.apply(decoder.version()));
        } else {
            this.unary.infer((UnaryModel) model, request).whenComplete(answered);
        }
    }
}
