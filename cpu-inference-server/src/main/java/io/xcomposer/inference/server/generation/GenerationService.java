package io.xcomposer.inference.server.generation;

import io.micrometer.observation.ObservationRegistry;
import io.xcomposer.inference.client.contract.LlmContract;
import io.xcomposer.inference.client.generation.TokenLogprob;
import io.xcomposer.inference.client.tensor.Tensor;
import io.xcomposer.inference.grpc.ModelInferRequest;
import io.xcomposer.inference.server.InferenceException;
import io.xcomposer.inference.server.config.ServerProperties;
import io.xcomposer.inference.server.metrics.InferenceMetrics;
import io.xcomposer.inference.server.repository.ModelRepository;
import io.xcomposer.inference.server.tensor.InputValidator;
import io.xcomposer.inference.server.tensor.RequestInputs;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Semaphore;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.DisposableBean;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.stereotype.Service;

/**
 * Admits generations and runs them on a bounded worker pool. At most {@code max-concurrent-generations} run at
 * once; a further one is refused with UNAVAILABLE instead of waiting, so that clients can back off or go to
 * another replica rather than hold an idle stream.
 */
@Service
public class GenerationService implements DisposableBean {

    private static final Logger log = LoggerFactory.getLogger(GenerationService.class);

    private final InferenceMetrics metrics;
    private final ObservationRegistry observations;
    private final int maxConcurrent;
    private final long tokenDelayMillis;
    private final Semaphore slots;
    private final ExecutorService workers;

    public GenerationService(
            ServerProperties properties,
            InferenceMetrics metrics,
            ModelRepository repository,
            ObjectProvider<ObservationRegistry> observations) {
        this.metrics = metrics;
        this.observations = observations.getIfAvailable(() -> ObservationRegistry.NOOP);
        this.maxConcurrent = properties.maxConcurrentGenerations();
        this.tokenDelayMillis = properties.tokenDelay().toMillis();
        this.slots = new Semaphore(maxConcurrent);
        AtomicInteger threadNumber = new AtomicInteger();
        this.workers = Executors.newFixedThreadPool(maxConcurrent, runnable -> {
            Thread thread = new Thread(runnable, "generation-" + threadNumber.incrementAndGet());
            thread.setDaemon(true);
            return thread;
        });
        repository
                .servedModels(DecoderModel.class)
                .forEach(model -> metrics.registerGenerationModel(model.config().getName()));
    }

    /**
     * Validates the request and starts decoding it in the background.
     *
     * @throws InferenceException INVALID_ARGUMENT for a bad request (including a prompt over the context length),
     *     UNAVAILABLE when all generation slots are busy. The listener is called only if this returns normally.
     */
    public void start(DecoderModel model, ModelInferRequest request, GenerationListener listener) {
        long received = System.nanoTime();
        String name = model.config().getName();
        Runnable releaseSlot = releaseOnce();
        GenerationListener releasing = new SlotReleasingListener(listener, releaseSlot);
        ObservedGeneration observed = new ObservedGeneration(releasing, metrics, observations, name, received);
        GenerationJob job;
        try {
            job = prepare(model, request, observed);
        } catch (InferenceException e) {
            metrics.requestFailed(name, model.version());
            observed.refused(e);
            throw e;
        }
        if (!slots.tryAcquire()) {
            metrics.requestFailed(name, model.version());
            InferenceException busy =
                    InferenceException.unavailable("all " + maxConcurrent + " generation slots are busy; retry later");
            observed.refused(busy);
            throw busy;
        }
        metrics.generationStarted(name);
        workers.execute(() -> run(model, job, observed, received, releaseSlot));
    }

    @Override
    public void destroy() {
        workers.shutdownNow();
    }

    private GenerationJob prepare(DecoderModel model, ModelInferRequest request, GenerationListener listener) {
        Map<String, Tensor> inputs = RequestInputs.read(request);
        InputValidator.validate(model.config(), inputs);
        DecoderModel.DecoderSettings settings = model.settings();
        GenerationInput input = GenerationInput.from(inputs, settings.defaultMaxTokens(), settings.hiddenSize());
        Prompt prompt = Prompt.build(input, model.tokenizer(), settings.imagePlaceholder());
        if (prompt.length() > settings.contextLength()) {
            throw InferenceException.invalidArgument(
                    LlmContract.contextLengthExceeded(prompt.length(), settings.contextLength()));
        }
        int maxTokens = Math.min(input.maxTokens(), settings.contextLength() - prompt.length());
        return new GenerationJob(model, prompt, maxTokens, input, listener, tokenDelayMillis);
    }

    private void run(
            DecoderModel model, GenerationJob job, ObservedGeneration listener, long received, Runnable releaseSlot) {
        String name = model.config().getName();
        long start = System.nanoTime();
        try {
            job.run();
            metrics.executed(name, model.version());
            metrics.requestSucceeded(name, model.version(), 1, start - received, System.nanoTime() - start);
        } catch (Exception e) {
            log.error("Generation on model '{}' failed", name, e);
            metrics.requestFailed(name, model.version());
            listener.onFailed("generation failed: " + e.getMessage());
        } finally {
            metrics.tokensGenerated(name, model.version(), job.completionTokens());
            metrics.generationEnded(name);
            releaseSlot.run();
            listener.stop();
        }
    }

    private Runnable releaseOnce() {
        AtomicBoolean released = new AtomicBoolean();
        return () -> {
            if (released.compareAndSet(false, true)) {
                slots.release();
            }
        };
    }

    /**
     * Frees the generation's slot just before its last response goes out. Freed only afterwards (when the worker
     * finishes), a client that admits exactly as many generations as there are slots could start its next one
     * while the server still counted the finished one, and be refused with UNAVAILABLE.
     */
    private record SlotReleasingListener(GenerationListener delegate, Runnable releaseSlot)
            implements GenerationListener {

        @Override
        public void onText(String delta) {
            delegate.onText(delta);
        }

        @Override
        public void onText(String delta, List<TokenLogprob> logprobs) {
            delegate.onText(delta, logprobs);
        }

        @Override
        public void onFinished(String text, FinishReason reason, int promptTokens, int completionTokens) {
            onFinished(text, List.of(), reason, promptTokens, completionTokens);
        }

        @Override
        public void onFinished(
                String text, List<TokenLogprob> logprobs, FinishReason reason, int promptTokens, int completionTokens) {
            releaseSlot.run();
            delegate.onFinished(text, logprobs, reason, promptTokens, completionTokens);
        }

        @Override
        public void onFailed(String message) {
            releaseSlot.run();
            delegate.onFailed(message);
        }

        @Override
        public boolean isCancelled() {
            return delegate.isCancelled();
        }
    }
}
