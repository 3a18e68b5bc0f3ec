package io.xcomposer.retrieval.search;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.xcomposer.common.error.ApiException;
import io.xcomposer.common.images.ImageReferences;
import io.xcomposer.common.images.ResolvedImage;
import io.xcomposer.retrieval.catalog.GalleryCatalog;
import io.xcomposer.retrieval.catalog.ImageRecord;
import io.xcomposer.retrieval.catalog.Vectors;
import io.xcomposer.retrieval.config.RetrievalProperties;
import io.xcomposer.retrieval.embedding.EmbeddingService;
import io.xcomposer.retrieval.index.IndexHit;
import io.xcomposer.retrieval.index.IndexSynchronizer;
import io.xcomposer.retrieval.index.SearchFilter;
import io.xcomposer.retrieval.index.VectorIndex;
import io.xcomposer.retrieval.ingest.ImageAttributes;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;
import org.springframework.stereotype.Service;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Schedulers;

/**
 * Turns a query (text, image, stored id or raw vector) into a unit vector, runs the filtered k-NN search, and joins
 * the hits with their catalog records. Exclusions and tag filters run inside the index search, so top_k results come
 * back even when the nearest neighbours are excluded.
 */
@Service
public class SearchService {

    /** How many extra candidates collapsing may consume: each dropped near-duplicate needs a replacement. */
    private static final int COLLAPSE_OVERFETCH = 3;

    private final VectorIndex index;

    private final GalleryCatalog catalog;

    private final EmbeddingService embeddings;

    private final ImageReferences references;

    private final RetrievalProperties properties;

    private final MeterRegistry meters;

    private final IndexSynchronizer synchronizer;

    public SearchService(
            VectorIndex index,
            IndexSynchronizer synchronizer,
            GalleryCatalog catalog,
            EmbeddingService embeddings,
            ImageReferences references,
            RetrievalProperties properties,
            MeterRegistry meters) {
        this.index = index;
        this.synchronizer = synchronizer;
        this.catalog = catalog;
        this.embeddings = embeddings;
        this.references = references;
        this.properties = properties;
        this.meters = meters;
    }

    public Mono<SearchResponse> search(SearchRequest request) {
        int topK = request.topK() == null ? SearchRequest.DEFAULT_TOP_K : request.topK();
        if (topK < 1 || topK > SearchRequest.MAX_TOP_K) {
            throw ApiException.badRequest(
                    "invalid_top_k", "'top_k' must be between 1 and " + SearchRequest.MAX_TOP_K + ".", "top_k");
        }
        String mode = mode(request);
        this.synchronizer.requireRecovered();
        SearchFilter filter = new SearchFilter(
                new HashSet<>(request.exclude() == null ? List.of() : request.exclude()),
                new HashSet<>(ImageAttributes.normaliseTags(request.tags())));
        boolean collapse = Boolean.TRUE.equals(request.collapseDuplicates());
        Timer.Sample sample = Timer.start(this.meters);
        return queryVector(request, mode)
                .flatMap(vector -> Mono.fromCallable(
                                () -> this.index.search(vector, collapse ? topK * COLLAPSE_OVERFETCH : topK, filter))
                        .subscribeOn(Schedulers.boundedElastic()))
                .flatMap(hits -> toResults(hits, topK, request.minScore(), collapse))
                .map(SearchResponse::new)
                .doFinally(signal -> sample.stop(Timer.builder("retrieval.search.latency")
                        .description("Gallery search, from request to results")
                        .tag("mode", mode)
                        .publishPercentileHistogram()
                        .register(this.meters)));
    }

    private Mono<float[]> queryVector(SearchRequest request, String mode) {
        return switch (mode) {
            case "text" -> this.embeddings.embedTexts(List.of(request.text())).map(vectors -> vectors.get(0));
            case "image_base64" ->
                embedImage(this.references.inline(request.imageBase64(), "image_base64"), "image_base64");
            case "image_url" -> embedImage(this.references.fetch(request.imageUrl(), "image_url"), "image_url");
            // A gallery image has its vector stored; an uploaded one (POST /v1/images) is embedded now.
            case "image_id" ->
                this.catalog
                        .find(request.imageId(), true)
                        .map(ImageRecord::vector)
                        .switchIfEmpty(Mono.defer(
                                () -> embedImage(this.references.byId(request.imageId(), "image_id"), "image_id")));
            default -> rawVector(request.vector());
        };
    }

    private Mono<float[]> embedImage(Mono<ResolvedImage> resolved, String param) {
        return resolved.flatMap(image -> this.embeddings.preprocess(image.bytes(), param))
                .flatMap(image -> this.embeddings.embedImages(List.of(image)))
                .map(vectors -> vectors.get(0));
    }

    private Mono<float[]> rawVector(float[] vector) {
        return this.embeddings.dimension().map(dimension -> {
            if (vector.length != dimension) {
                throw ApiException.badRequest(
                        "invalid_vector_dimension",
                        "'vector' has " + vector.length + " dimensions; the gallery's embeddings have " + dimension
                                + ".",
                        "vector");
            }
            float[] unit = Vectors.normalised(vector);
            if (unit == null) {
                throw ApiException.badRequest("invalid_vector", "'vector' must be finite and not all zeros.", "vector");
            }
            return unit;
        });
    }

    private Mono<List<SearchResponse.Result>> toResults(
            List<IndexHit> hits, int topK, Double minScore, boolean collapse) {
        List<IndexHit> wanted = hits.stream()
                .filter(hit -> minScore == null || hit.score() >= minScore)
                .toList();
        // Records of hits deleted since the index was refreshed are simply absent: drop those hits.
        return Flux.fromIterable(wanted)
                .flatMapSequential(
                        hit -> this.catalog
                                .find(hit.id(), collapse)
                                .map(record -> Optional.of(new Scored(hit.score(), record)))
                                .defaultIfEmpty(Optional.empty()),
                        16)
                .flatMap(Mono::justOrEmpty)
                .collectList()
                .map(scored -> (collapse ? collapse(scored) : scored)
                        .stream().limit(topK).map(this::toResult).toList());
    }

    private List<Scored> collapse(List<Scored> scored) {
        List<Scored> kept = new ArrayList<>();
        for (Scored candidate : scored) {
            boolean duplicate = kept.stream()
                    .anyMatch(better -> Vectors.dot(
                                    better.record().vector(), candidate.record().vector())
                            >= this.properties.duplicateThreshold());
            if (!duplicate) {
                kept.add(candidate);
            }
        }
        return kept;
    }

    private SearchResponse.Result toResult(Scored scored) {
        ImageRecord record = scored.record();
        return new SearchResponse.Result(
                record.id(), scored.score(), record.caption(), record.tags(), this.properties.contentUrl(record.id()));
    }

    private static String mode(SearchRequest request) {
        List<String> given = Stream.of(
                        request.text() != null ? "text" : null,
                        request.imageBase64() != null ? "image_base64" : null,
                        request.imageUrl() != null ? "image_url" : null,
                        request.imageId() != null ? "image_id" : null,
                        request.vector() != null ? "vector" : null)
                .filter(name -> name != null)
                .toList();
        if (given.size() != 1) {
            throw ApiException.badRequest(
                    "invalid_query",
                    "Give exactly one of 'text', 'image_base64', 'image_url', 'image_id' and 'vector'.",
                    null);
        }
        if (request.text() != null && request.text().isBlank()) {
            throw ApiException.badRequest("invalid_query", "'text' must not be empty.", "text");
        }
        return given.get(0);
    }

    private record Scored(float score, ImageRecord record) {}
}
