package io.xcomposer.retrieval.ingest;

import io.micrometer.core.instrument.MeterRegistry;
import io.xcomposer.common.error.ApiErrors;
import io.xcomposer.common.error.ApiException;
import io.xcomposer.inference.client.image.PreprocessedImage;
import io.xcomposer.retrieval.catalog.GalleryCatalog;
import io.xcomposer.retrieval.catalog.ImageRecord;
import io.xcomposer.retrieval.catalog.NewImage;
import io.xcomposer.retrieval.embedding.EmbeddingService;
import io.xcomposer.retrieval.index.IndexSynchronizer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.apache.commons.codec.digest.DigestUtils;
import org.jspecify.annotations.Nullable;
import org.springframework.stereotype.Service;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * Adds images: validate and preprocess each item, skip bytes already stored (no embedding needed), embed the new
 * ones in batches, write each with the catalog's atomic insert, and answer only once the index has applied the
 * write, so an acknowledged image is searchable. Client errors fail only their item; infrastructure errors (model
 * server, Redis) fail the call, which is safe to retry because ingestion is idempotent.
 */
@Service
public class IngestionService {

    private static final Duration APPLY_TIMEOUT = Duration.ofSeconds(30);

    private final GalleryCatalog catalog;

    private final EmbeddingService embeddings;

    private final IndexSynchronizer synchronizer;

    private final MeterRegistry meters;

    public IngestionService(
            GalleryCatalog catalog, EmbeddingService embeddings, IndexSynchronizer synchronizer, MeterRegistry meters) {
        this.catalog = catalog;
        this.embeddings = embeddings;
        this.synchronizer = synchronizer;
        this.meters = meters;
    }

    /** One image; a client error becomes the call's error. */
    public Mono<IngestOutcome> ingest(Mono<Candidate> item) {
        return ingestAll(List.of(item)).map(outcomes -> {
            IngestOutcome outcome = outcomes.get(0);
            if (outcome.error() != null) {
                throw outcome.error();
            }
            return outcome;
        });
    }

    /** Several images, one outcome per item in order. */
    public Mono<List<IngestOutcome>> ingestAll(List<Mono<Candidate>> items) {
        Mono<List<Step>> classified = Flux.fromIterable(items)
                .flatMapSequential(
                        item -> item.flatMap(this::classify)
                                .onErrorResume(
                                        this::isClientError,
                                        error -> Mono.just(Step.failed(ApiErrors.toApiException(error)))),
                        4)
                .collectList();
        return classified.flatMap(this::embedAndWrite);
    }

    private Mono<Step> classify(Candidate candidate) {
        String sha256 = DigestUtils.sha256Hex(candidate.bytes());
        return this.catalog
                .find(NewImage.idFor(sha256), false)
                .map(Step::existing)
                .switchIfEmpty(Mono.defer(() ->
                        this.embeddings.preprocess(candidate.bytes()).map(image -> Step.prepared(candidate, image))));
    }

    private Mono<List<IngestOutcome>> embedAndWrite(List<Step> steps) {
        List<PreprocessedImage> toEmbed = new ArrayList<>();
        steps.stream().filter(step -> step.image() != null).forEach(step -> toEmbed.add(step.image()));
        return this.embeddings.embedImages(toEmbed).flatMap(vectors -> {
            List<Mono<IngestOutcome>> writes = new ArrayList<>();
            int next = 0;
            for (Step step : steps) {
                writes.add(step.image() != null ? write(step, vectors.get(next++)) : finish(step));
            }
            // Sequential writes: two items with the same bytes in one batch make one record, the second "existing".
            // Then one wait for the index to reach the newest record of the batch (also covering records a
            // concurrent writer stored a moment ago), so everything acknowledged is searchable.
            return Flux.concat(writes)
                    .collectList()
                    .flatMap(outcomes -> awaitSearchable(outcomes).thenReturn(outcomes));
        });
    }

    private Mono<IngestOutcome> finish(Step step) {
        if (step.error() != null) {
            count("failed");
            return Mono.just(IngestOutcome.failed(step.error()));
        }
        count("duplicate");
        return Mono.just(IngestOutcome.stored(step.existing(), false));
    }

    private Mono<IngestOutcome> write(Step step, float[] vector) {
        Candidate candidate = step.candidate();
        PreprocessedImage image = step.image();
        NewImage newImage = new NewImage(
                candidate.bytes(),
                image.sha256(),
                contentType(image),
                candidate.attributes().caption(),
                candidate.attributes().tags(),
                candidate.attributes().metadata(),
                vector);
        return this.catalog.insert(newImage).flatMap(generation -> {
            boolean created = generation > 0;
            count(created ? "created" : "duplicate");
            // Created or lost the race to a concurrent writer: either way the stored record is the answer.
            return this.catalog.find(newImage.id(), false).map(record -> IngestOutcome.stored(record, created));
        });
    }

    private Mono<Void> awaitSearchable(List<IngestOutcome> outcomes) {
        long newest = outcomes.stream()
                .filter(IngestOutcome::succeeded)
                .mapToLong(outcome -> outcome.record().generation())
                .max()
                .orElse(0);
        return this.synchronizer
                .awaitApplied(newest)
                .timeout(
                        APPLY_TIMEOUT,
                        Mono.error(
                                () -> ApiException.unavailable(
                                        Duration.ofSeconds(5),
                                        "The image is stored but the search index is behind; retry (ingestion is idempotent).")));
    }

    private boolean isClientError(Throwable error) {
        return ApiErrors.toApiException(error).status().is4xxClientError();
    }

    private void count(String outcome) {
        this.meters.counter("retrieval.ingest.images", "outcome", outcome).increment();
    }

    private static String contentType(PreprocessedImage image) {
        return switch (image.format()) {
            case PNG -> "image/png";
            case JPEG -> "image/jpeg";
            case WEBP -> "image/webp";
            case GIF -> "image/gif";
        };
    }

    /** An item after classification: already stored, ready to embed, or refused. */
    private record Step(
            @Nullable Candidate candidate,
            @Nullable PreprocessedImage image,
            @Nullable ImageRecord existing,
            @Nullable ApiException error) {

        static Step existing(ImageRecord record) {
            return new Step(null, null, record, null);
        }

        static Step prepared(Candidate candidate, PreprocessedImage image) {
            return new Step(candidate, image, null, null);
        }

        static Step failed(ApiException error) {
            return new Step(null, null, null, error);
        }
    }
}
