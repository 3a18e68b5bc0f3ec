package io.xcomposer.inference.server.grpc;

import io.grpc.Status;
import io.grpc.stub.ServerCallStreamObserver;
import io.grpc.stub.StreamObserver;
import io.xcomposer.inference.client.tensor.TensorDatatype;
import io.xcomposer.inference.grpc.DataType;
import io.xcomposer.inference.grpc.GRPCInferenceServiceGrpc;
import io.xcomposer.inference.grpc.ModelConfig;
import io.xcomposer.inference.grpc.ModelConfigRequest;
import io.xcomposer.inference.grpc.ModelConfigResponse;
import io.xcomposer.inference.grpc.ModelInferRequest;
import io.xcomposer.inference.grpc.ModelInferResponse;
import io.xcomposer.inference.grpc.ModelMetadataRequest;
import io.xcomposer.inference.grpc.ModelMetadataResponse;
import io.xcomposer.inference.grpc.ModelReadyRequest;
import io.xcomposer.inference.grpc.ModelReadyResponse;
import io.xcomposer.inference.grpc.ModelStreamInferResponse;
import io.xcomposer.inference.grpc.RepositoryIndexRequest;
import io.xcomposer.inference.grpc.RepositoryIndexResponse;
import io.xcomposer.inference.grpc.ServerLiveRequest;
import io.xcomposer.inference.grpc.ServerLiveResponse;
import io.xcomposer.inference.grpc.ServerMetadataRequest;
import io.xcomposer.inference.grpc.ServerMetadataResponse;
import io.xcomposer.inference.grpc.ServerReadyRequest;
import io.xcomposer.inference.grpc.ServerReadyResponse;
import io.xcomposer.inference.server.InferenceException;
import io.xcomposer.inference.server.repository.ModelRepository;
import io.xcomposer.inference.server.repository.RepositoryEntry;
import io.xcomposer.inference.server.runtime.ServedModel;
import java.util.List;
import java.util.concurrent.CompletionException;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.stereotype.Component;

/** Triton's {@code inference.GRPCInferenceService} over the loaded repository. */
@Component
public class InferenceGrpcService extends GRPCInferenceServiceGrpc.GRPCInferenceServiceImplBase {

    static final String SERVER_NAME = "cpu-inference-server";
    /** Triton extensions this server implements (a subset of Triton's list). */
    static final List<String> EXTENSIONS =
            List.of("model_configuration", "model_repository", "binary_tensor_data", "parameters", "schedule_policy");

    private static final Logger log = LoggerFactory.getLogger(InferenceGrpcService.class);

    private final ModelRepository repository;
    private final ModelDispatch dispatch;
    private final String serverVersion;

    InferenceGrpcService(ModelRepository repository, ModelDispatch dispatch) {
        this.repository = repository;
        this.dispatch = dispatch;
        String implementationVersion = getClass().getPackage().getImplementationVersion();
        this.serverVersion = implementationVersion == null ? "dev" : implementationVersion;
    }

    @Override
    public void serverLive(ServerLiveRequest request, StreamObserver<ServerLiveResponse> observer) {
        reply(observer, ServerLiveResponse.newBuilder().setLive(true).build());
    }

    @Override
    public void serverReady(ServerReadyRequest request, StreamObserver<ServerReadyResponse> observer) {
        reply(
                observer,
                ServerReadyResponse.newBuilder().setReady(repository.allReady()).build());
    }

    @Override
    public void modelReady(ModelReadyRequest request, StreamObserver<ModelReadyResponse> observer) {
        handle(
                observer,
                () -> ModelReadyResponse.newBuilder()
                        .setReady(repository
                                .find(request.getName(), request.getVersion())
                                .isReady())
                        .build());
    }

    @Override
    public void serverMetadata(ServerMetadataRequest request, StreamObserver<ServerMetadataResponse> observer) {
        reply(
                observer,
                ServerMetadataResponse.newBuilder()
                        .setName(SERVER_NAME)
                        .setVersion(serverVersion)
                        .addAllExtensions(EXTENSIONS)
                        .build());
    }

    @Override
    public void modelMetadata(ModelMetadataRequest request, StreamObserver<ModelMetadataResponse> observer) {
        handle(observer, () -> {
            ServedModel model = repository.require(request.getName(), request.getVersion());
            return ModelMetadata.of(model);
        });
    }

    @Override
    public void modelConfig(ModelConfigRequest request, StreamObserver<ModelConfigResponse> observer) {
        handle(observer, () -> {
            ModelConfig config =
                    repository.require(request.getName(), request.getVersion()).config();
            return ModelConfigResponse.newBuilder().setConfig(config).build();
        });
    }

    @Override
    public void repositoryIndex(RepositoryIndexRequest request, StreamObserver<RepositoryIndexResponse> observer) {
        RepositoryIndexResponse.Builder response = RepositoryIndexResponse.newBuilder();
        for (RepositoryEntry entry : repository.entries()) {
            if (request.getReady() && !entry.isReady()) {
                continue;
            }
            response.addModels(RepositoryIndexResponse.ModelIndex.newBuilder()
                    .setName(entry.name())
                    .setVersion(entry.version())
                    .setState(entry.state().name())
                    .setReason(entry.reason()));
        }
        reply(observer, response.build());
    }

    @Override
    public void modelInfer(ModelInferRequest request, StreamObserver<ModelInferResponse> observer) {
        try {
            dispatch.infer(request).whenComplete((response, error) -> {
                if (error == null) {
                    reply(observer, response);
                } else {
                    observer.onError(toStatus(error));
                }
            });
        } catch (InferenceException e) {
            observer.onError(e.toStatusException());
        }
    }

    @Override
    public StreamObserver<ModelInferRequest> modelStreamInfer(StreamObserver<ModelStreamInferResponse> observer) {
        return new StreamInferHandler((ServerCallStreamObserver<ModelStreamInferResponse>) observer, dispatch);
    }

    private static <T> void reply(StreamObserver<T> observer, T response) {
        observer.onNext(response);
        observer.onCompleted();
    }

    private static <T> void handle(StreamObserver<T> observer, Supplier<T> call) {
        try {
            reply(observer, call.get());
        } catch (RuntimeException e) {
            observer.onError(toStatus(e));
        }
    }

    private static RuntimeException toStatus(Throwable error) {
        Throwable cause = error instanceof CompletionException && error.getCause() != null ? error.getCause() : error;
        if (cause instanceof InferenceException inference) {
            return inference.toStatusException();
        }
        log.error("Request failed", cause);
        return Status.INTERNAL.withDescription(cause.getMessage()).asRuntimeException();
    }

    /** ModelMetadata from the config: tensor shapes include the batch dimension as -1 when batching. */
    private static final class ModelMetadata {

        static ModelMetadataResponse of(ServedModel model) {
            ModelConfig config = model.config();
            ModelMetadataResponse.Builder response = ModelMetadataResponse.newBuilder()
                    .setName(config.getName())
                    .addVersions(model.version())
                    .setPlatform(config.getBackend().isEmpty() ? config.getPlatform() : config.getBackend());
            config.getInputList()
                    .forEach(input -> response.addInputs(
                            tensor(config, input.getName(), input.getDataType(), input.getDimsList())));
            config.getOutputList()
                    .forEach(output -> response.addOutputs(
                            tensor(config, output.getName(), output.getDataType(), output.getDimsList())));
            return response.build();
        }

        private static ModelMetadataResponse.TensorMetadata tensor(
                ModelConfig config, String name, DataType type, List<Long> dims) {
            ModelMetadataResponse.TensorMetadata.Builder tensor = ModelMetadataResponse.TensorMetadata.newBuilder()
                    .setName(name)
                    .setDatatype(TensorDatatype.fromConfig(type).name());
            if (config.getMaxBatchSize() > 0) {
                tensor.addShape(-1);
            }
            return tensor.addAllShape(dims).build();
        }
    }
}
