package io.xcomposer.evaluation;

import io.micrometer.core.instrument.MeterRegistry;
import io.xcomposer.inference.client.TritonClient;
import io.xcomposer.inference.client.TritonClientOptions;
import io.xcomposer.inference.client.error.InferenceException;
import io.xcomposer.inference.client.tensor.Tensor;
import io.xcomposer.inference.server.EmbeddedInferenceServer;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * Evaluates the tiny model the way the services use it: cpu-inference-server started in-process on a free port,
 * and every call over real gRPC/TCP through {@link TritonClient}. Held-out records are preprocessed, encoded
 * (vision_encoder, one batch per record), generated greedily and scored per task; the gallery is searched with
 * image_embedder / text_embedder; then the out-of-domain checks run.
 */
public final class TinyModelEvaluation {

    private final ServedModel model;
    private final EvalData data;
    private final EvaluationPlan plan;

    public TinyModelEvaluation(ServedModel model, EvalData data, EvaluationPlan plan) {
        this.model = model;
        this.data = data;
        this.plan = plan;
    }

    /** Serves {@code repository} in-process, runs the plan against it, and shuts everything down. */
    public static EvaluationResult run(Path repository, EvaluationPlan plan) {
        try (EmbeddedInferenceServer server = startServer(repository);
                TritonClient client = TritonClient.connect(
                        TritonClientOptions.of("127.0.0.1", server.port()),
                        server.context().getBean(MeterRegistry.class))) {
            client.awaitReady(
                            plan.callTimeout(),
                            ServedModel.VISION_ENCODER,
                            ServedModel.LLM,
                            ServedModel.IMAGE_EMBEDDER,
                            ServedModel.TEXT_EMBEDDER)
                    .block();
            ServedModel model = new ServedModel(client, plan.callTimeout());
            return new TinyModelEvaluation(model, new EvalData(repository.resolve("eval")), plan).evaluate();
        }
    }

    /**
     * {@link EmbeddedInferenceServer#start} passes the repository and port 0 as Spring <em>default</em> properties,
     * which the server's own application.yml ({@code ${MODEL_REPOSITORY:model-repository/tiny}}, {@code 8001})
     * outranks; outside the repository root it would serve the wrong folder on a fixed port. System properties
     * outrank application.yml, so they are set for the server's start-up.
     */
    static EmbeddedInferenceServer startServer(Path repository) {
        System.setProperty(
                "xcomposer.server.repository", repository.toAbsolutePath().toString());
        System.setProperty("xcomposer.server.grpc-port", "0");
        try {
            return EmbeddedInferenceServer.start(repository);
        } finally {
            System.clearProperty("xcomposer.server.repository");
            System.clearProperty("xcomposer.server.grpc-port");
        }
    }

    public EvaluationResult evaluate() {
        long start = System.nanoTime();
        List<HeldOutRecord> heldOut = data.heldOut();
        List<HeldOutRecord> records =
                plan.perStratum() == 0 ? heldOut : EvalData.stratifiedSample(heldOut, plan.perStratum(), plan.seed());
        List<RecordResult> results = evaluateRecords(records);
        List<GalleryImage> gallery = data.gallery();
        List<RetrievalResult> retrieval = new RetrievalEvaluation(model, data).run(gallery, queryImages(gallery));
        byte[] sceneImage = data.read(gallery.get(0).image());
        List<OutOfDomainResult> outOfDomain = new OutOfDomainChecks(model, sceneImage, plan.maxTokens()).run();
        return new EvaluationResult(plan, results, retrieval, outOfDomain, Duration.ofNanos(System.nanoTime() - start));
    }

    private List<RecordResult> evaluateRecords(List<HeldOutRecord> records) {
        ExecutorService workers = Executors.newFixedThreadPool(plan.concurrency());
        try {
            List<Future<RecordResult>> futures = new ArrayList<>();
            for (HeldOutRecord record : records) {
                futures.add(workers.submit(() -> RecordScorer.score(record, generate(record))));
            }
            List<RecordResult> results = new ArrayList<>();
            for (Future<RecordResult> future : futures) {
                results.add(future.get());
            }
            return results;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        } catch (ExecutionException e) {
            throw new IllegalStateException("record evaluation failed", e.getCause());
        } finally {
            workers.shutdownNow();
        }
    }

    /**
     * A server-side error on a held-out record is scored as a wrong answer and counted in the report, rather than
     * ending the run: one bad record must not hide the other 1800 results.
     */
    private Generation generate(HeldOutRecord record) {
        try {
            List<Tensor> embeds = record.images().isEmpty()
                    ? List.of()
                    : model.encodeImages(
                            record.images().stream().map(data::read).toList());
            return model.generate(record.prompt(), embeds, plan.maxTokens());
        } catch (InferenceException e) {
            return new Generation("", "error: " + e.getMessage(), 0, 0);
        }
    }

    private List<GalleryImage> queryImages(List<GalleryImage> gallery) {
        if (plan.retrievalQueries() == 0) {
            return gallery;
        }
        List<GalleryImage> shuffled = new ArrayList<>(gallery);
        Collections.shuffle(shuffled, new Random(plan.seed()));
        return shuffled.subList(0, Math.min(plan.retrievalQueries(), shuffled.size()));
    }

    /**
     * The full evaluation. Arguments: repository folder (default {@code model-repository/tiny}), Markdown output
     * file (default {@code model-evaluation/target/evaluation.md}). The table goes to stdout as well.
     */
    public static void main(String[] args) throws IOException {
        Path repository = Path.of(args.length > 0 ? args[0] : "model-repository/tiny");
        Path output = Path.of(args.length > 1 ? args[1] : "model-evaluation/target/evaluation.md");
        EvaluationResult result = run(repository, EvaluationPlan.full());
        String markdown = MarkdownReport.render(result, LocalDate.now());
        Files.createDirectories(output.toAbsolutePath().getParent());
        Files.writeString(output, markdown);
        System.out.println(markdown);
    }
}
