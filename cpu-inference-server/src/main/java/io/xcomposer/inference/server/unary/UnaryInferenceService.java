package io.xcomposer.inference.server.unary;

import ai.onnxruntime.OrtException;
import io.xcomposer.inference.client.tensor.Tensor;
import io.xcomposer.inference.client.tensor.TensorCodec;
import io.xcomposer.inference.grpc.ModelInferRequest;
import io.xcomposer.inference.grpc.ModelInferResponse;
import io.xcomposer.inference.server.InferenceException;
import io.xcomposer.inference.server.config.ServerProperties;
import io.xcomposer.inference.server.metrics.InferenceMetrics;
import io.xcomposer.inference.server.repository.ModelRepository;
import io.xcomposer.inference.server.tensor.InputValidator;
import io.xcomposer.inference.server.tensor.RequestInputs;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import org.springframework.beans.factory.DisposableBean;
import org.springframework.stereotype.Service;

/**
 * Runs ModelInfer requests on unary models: validates them against the config, then executes them either through
 * the model's {@link DynamicBatcher} or on a small shared worker pool. Never runs inference on gRPC threads.
 */
@Service
public class UnaryInferenceService implements DisposableBean {

    private final InferenceMetrics metrics;
    private final ThreadPoolExecutor workers;
    private final Map<String, DynamicBatcher> batchers = new HashMap<>();

    public UnaryInferenceService(ModelRepository repository, ServerProperties properties, InferenceMetrics metrics) {
        this.metrics = metrics;
        this.workers = new ThreadPoolExecutor(
                properties.unaryWorkers(),
                properties.unaryWorkers(),
                0,
                TimeUnit.SECONDS,
                new ArrayBlockingQueue<>(properties.maxQueuedRequests()),
                runnable -> {
                    Thread thread = new Thread(runnable, "unary-inference");
                    thread.setDaemon(true);
                    return thread;
                });
        if (properties.dynamicBatching()) {
            repository
                    .servedModels(UnaryModel.class)
                    .filter(UnaryModel::supportsDynamicBatching)
                    .forEach(model -> batchers.put(
                            model.config().getName(),
                            new DynamicBatcher(model, metrics, properties.maxQueuedRequests())));
        }
    }

    public CompletableFuture<ModelInferResponse> infer(UnaryModel model, ModelInferRequest request) {
        String name = model.config().getName();
        try {
            Map<String, Tensor> inputs = RequestInputs.read(request);
            long batch = InputValidator.validate(model.config(), inputs);
            List<String> outputNames = requestedOutputs(model, request);
            Map<String, Tensor> graphInputs = model.toGraphInputs(inputs);
            CompletableFuture<Execution> execution = batchers.containsKey(name)
                    ? batchers.get(name).submit(graphInputs, batch)
                    : runOnWorkers(model, graphInputs, outputNames);
            return execution
                    .thenApply(result -> {
                        metrics.requestSucceeded(
                                name, model.version(), Math.max(batch, 1), result.queueNanos(), result.computeNanos());
                        return toResponse(model, request, select(result.outputs(), outputNames));
                    })
                    .whenComplete((response, error) -> {
                        if (error != null) {
                            metrics.requestFailed(name, model.version());
                        }
                    });
        } catch (InferenceException e) {
            metrics.requestFailed(name, model.version());
            return CompletableFuture.failedFuture(e);
        }
    }

    @Override
    public void destroy() {
        batchers.values().forEach(DynamicBatcher::close);
        workers.shutdownNow();
    }

    private CompletableFuture<Execution> runOnWorkers(
            UnaryModel model, Map<String, Tensor> graphInputs, List<String> outputNames) {
        long enqueued = System.nanoTime();
        try {
            return CompletableFuture.supplyAsync(
                    () -> {
                        long start = System.nanoTime();
                        try {
                            List<Tensor> outputs = model.run(graphInputs, outputNames);
                            metrics.executed(model.config().getName(), model.version());
                            return new Execution(outputs, start - enqueued, System.nanoTime() - start);
                        } catch (OrtException e) {
                            throw new IllegalStateException(
                                    "ONNX Runtime failed on model '"
                                            + model.config().getName() + "': " + e.getMessage(),
                                    e);
                        }
                    },
                    workers);
        } catch (RejectedExecutionException e) {
            throw InferenceException.unavailable(
                    "server has " + workers.getQueue().size() + " unary requests queued; retry later");
        }
    }

    private static List<String> requestedOutputs(UnaryModel model, ModelInferRequest request) {
        List<String> all = model.allOutputNames();
        if (request.getOutputsCount() == 0) {
            return all;
        }
        List<String> requested = request.getOutputsList().stream()
                .map(ModelInferRequest.InferRequestedOutputTensor::getName)
                .toList();
        for (String name : requested) {
            if (!all.contains(name)) {
                throw InferenceException.invalidArgument("unexpected inference output '" + name + "' for model '"
                        + model.config().getName() + "'");
            }
        }
        return requested;
    }

    private static List<Tensor> select(List<Tensor> outputs, List<String> names) {
        return names.stream()
                .map(name -> outputs.stream()
                        .filter(output -> output.name().equals(name))
                        .findFirst()
                        .orElseThrow())
                .toList();
    }

    private static ModelInferResponse toResponse(UnaryModel model, ModelInferRequest request, List<Tensor> outputs) {
        ModelInferResponse.Builder response = ModelInferResponse.newBuilder()
                .setModelName(model.config().getName())
                .setModelVersion(model.version())
                .setId(request.getId());
        TensorCodec.addOutputs(response, outputs);
        return response.build();
    }
}
