package io.xcomposer.retrieval.seed;

import io.xcomposer.common.health.ModelServerWatch;
import io.xcomposer.retrieval.config.RetrievalProperties;
import io.xcomposer.retrieval.index.IndexSynchronizer;
import io.xcomposer.retrieval.ingest.Candidate;
import io.xcomposer.retrieval.ingest.ImageAttributes;
import io.xcomposer.retrieval.ingest.IngestOutcome;
import io.xcomposer.retrieval.ingest.IngestionService;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.SmartLifecycle;
import org.springframework.stereotype.Component;
import reactor.core.Disposable;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Schedulers;
import reactor.util.retry.Retry;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * Ingests a synthetic gallery ({@code model-repository/tiny/eval/gallery.jsonl}: one line per PNG with English and
 * Chinese captions and the scene's objects) when {@code xcomposer.retrieval.seed-gallery} names one. Idempotent:
 * images already stored are recognised by their bytes and skipped, so every start may seed again.
 * <p>
 * In the background, never blocking start-up: it waits until the model server serves the embedders and the index
 * is recovered from Redis, then seeds; a run that fails on either (an outage mid-seed) starts again once both are
 * back, up to {@value #MAX_ATTEMPTS} runs. Until a run finished the service is not ready ({@link #isDone()}):
 * a gallery missing its seed would answer searches with what happens to be in so far.
 * <p>
 * Caption: {@code caption_en}; tags: the colours, shapes and sizes in the scene; metadata: {@code caption_zh},
 * {@code gallery_id}, {@code source}.
 */
@Component
public class GallerySeeder implements SmartLifecycle {

    private static final Logger logger = LoggerFactory.getLogger(GallerySeeder.class);

    private static final int CHUNK = 32;

    /** Runs tried after failures (each once the dependencies are back): a few minutes of outages mid-seed. */
    private static final int MAX_ATTEMPTS = 30;

    private static final Duration DEPENDENCY_POLL = Duration.ofMillis(100);

    private static final Duration CHUNK_TIMEOUT = Duration.ofMinutes(5);

    private final IngestionService ingestion;

    private final ModelServerWatch modelServer;

    private final IndexSynchronizer index;

    private final RetrievalProperties properties;

    private final JsonMapper json;

    private final AtomicInteger processed = new AtomicInteger();

    private volatile String state;

    private volatile boolean done;

    private volatile @Nullable Disposable seeding;

    public GallerySeeder(
            IngestionService ingestion,
            ModelServerWatch modelServer,
            IndexSynchronizer index,
            RetrievalProperties properties,
            JsonMapper json) {
        this.ingestion = ingestion;
        this.modelServer = modelServer;
        this.index = index;
        this.properties = properties;
        this.json = json;
        this.done = configuredGallery() == null;
        this.state = this.done ? "no seed gallery configured" : "not started";
    }

    /** Whether the configured seed gallery is in (true when none is configured). */
    public boolean isDone() {
        return this.done;
    }

    /** What the seeder is doing, for health details. */
    public String state() {
        return this.state;
    }

    @Override
    public void start() {
        Path gallery = configuredGallery();
        if (gallery == null) {
            return;
        }
        this.seeding = Mono.defer(() -> dependenciesReady().then(seeding(gallery)))
                .retryWhen(Retry.fixedDelay(MAX_ATTEMPTS - 1, Duration.ofMillis(500))
                        .filter(failure -> !(failure instanceof UncheckedIOException))
                        .doBeforeRetry(retry -> {
                            this.state = "retrying after: " + retry.failure();
                            logger.warn(
                                    "Seeding the gallery failed (run {} of {}), retrying once the model server and Redis "
                                            + "answer: {}",
                                    retry.totalRetries() + 1,
                                    MAX_ATTEMPTS,
                                    retry.failure().toString());
                        }))
                .subscribe(
                        report -> {
                            this.done = true;
                            this.state = "seeded: " + report;
                            logger.info(
                                    "Seeded the gallery from {}: {} created, {} already present, {} failed",
                                    gallery,
                                    report.created(),
                                    report.existing(),
                                    report.failed());
                        },
                        failure -> {
                            this.state = "gave up: " + failure;
                            logger.error(
                                    "Seeding the gallery from {} failed for good; it stays not ready",
                                    gallery,
                                    failure);
                        });
    }

    @Override
    public void stop() {
        Disposable current = this.seeding;
        if (current != null) {
            current.dispose();
        }
        this.seeding = null;
    }

    @Override
    public boolean isRunning() {
        return this.seeding != null;
    }

    /** After the index synchroniser (1000) and the job runner (2000); stops first. */
    @Override
    public int getPhase() {
        return 3000;
    }

    /** Ingests every line of {@code galleryJsonl}; blocks until done. */
    public SeedReport seed(Path galleryJsonl) {
        return seeding(galleryJsonl).block();
    }

    private Mono<Void> dependenciesReady() {
        return Flux.interval(Duration.ZERO, DEPENDENCY_POLL)
                .doOnNext(tick -> this.state = !this.modelServer.isReady()
                        ? "waiting for the model server (" + this.modelServer.reason() + ")"
                        : "waiting for the index (" + this.index.recoveryState() + ")")
                .filter(tick -> this.modelServer.isReady() && this.index.isRecovered())
                .next()
                .then();
    }

    /** Ingests every line, chunk by chunk; fails on the first infrastructure error (a client error fails its item). */
    private Mono<SeedReport> seeding(Path galleryJsonl) {
        return Mono.fromCallable(() -> readLines(galleryJsonl))
                .subscribeOn(Schedulers.boundedElastic())
                .flatMap(lines -> {
                    Path base = galleryJsonl.toAbsolutePath().getParent();
                    this.processed.set(0);
                    List<List<String>> chunks = new ArrayList<>();
                    for (int start = 0; start < lines.size(); start += CHUNK) {
                        chunks.add(lines.subList(start, Math.min(lines.size(), start + CHUNK)));
                    }
                    return Flux.fromIterable(chunks)
                            .concatMap(chunk -> {
                                this.state = "seeding: " + this.processed.get() + " of " + lines.size() + " lines";
                                List<Mono<Candidate>> items = new ArrayList<>();
                                for (String line : chunk) {
                                    items.add(Mono.fromCallable(() -> candidate(this.json.readTree(line), base)));
                                }
                                return this.ingestion
                                        .ingestAll(items)
                                        .timeout(CHUNK_TIMEOUT)
                                        .doOnNext(outcomes -> this.processed.addAndGet(outcomes.size()));
                            })
                            .concatMapIterable(outcomes -> outcomes)
                            .reduce(new SeedReport(0, 0, 0), SeedReport::plus);
                });
    }

    private Candidate candidate(JsonNode line, Path base) throws IOException {
        byte[] bytes = Files.readAllBytes(base.resolve(line.get("image").asString()));
        Set<String> tags = new LinkedHashSet<>();
        for (JsonNode object : line.path("truth").path("objects")) {
            tags.add(object.path("colour").asString());
            tags.add(object.path("shape").asString());
            tags.add(object.path("size").asString());
        }
        tags.removeIf(String::isEmpty);
        Map<String, Object> metadata = new LinkedHashMap<>();
        metadata.put("caption_zh", line.path("caption_zh").asString());
        metadata.put("gallery_id", line.path("id").asInt());
        metadata.put("source", "tiny-gallery");
        return new Candidate(
                bytes, ImageAttributes.of(line.path("caption_en").asString(), List.copyOf(tags), metadata));
    }

    private @Nullable Path configuredGallery() {
        Path gallery = this.properties.seedGallery();
        return gallery == null || gallery.toString().isBlank() ? null : gallery;
    }

    private static List<String> readLines(Path file) {
        try {
            return Files.readAllLines(file).stream()
                    .filter(line -> !line.isBlank())
                    .toList();
        } catch (IOException ex) {
            throw new UncheckedIOException("Cannot read the seed gallery " + file, ex);
        }
    }

    /** Counts of one seeding run. */
    public record SeedReport(int created, int existing, int failed) {

        SeedReport plus(IngestOutcome outcome) {
            if (!outcome.succeeded()) {
                logger.warn("Seeding an image failed: {}", outcome.error().getMessage());
                return new SeedReport(this.created, this.existing, this.failed + 1);
            }
            return outcome.created()
                    ? new SeedReport(this.created + 1, this.existing, this.failed)
                    : new SeedReport(this.created, this.existing + 1, this.failed);
        }
    }
}
