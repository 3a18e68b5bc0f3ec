package io.xcomposer.retrieval.ingest;

import io.xcomposer.common.error.ApiException;
import io.xcomposer.common.error.ErrorResponse;
import io.xcomposer.common.images.ImageReferences;
import io.xcomposer.common.web.DataBuffers;
import io.xcomposer.retrieval.catalog.GalleryCatalog;
import io.xcomposer.retrieval.config.RetrievalProperties;
import io.xcomposer.retrieval.index.IndexSynchronizer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.jspecify.annotations.Nullable;
import org.springframework.core.io.buffer.DataBufferUtils;
import org.springframework.http.CacheControl;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.http.codec.multipart.FilePart;
import org.springframework.http.codec.multipart.FormFieldPart;
import org.springframework.http.codec.multipart.Part;
import org.springframework.util.MultiValueMap;
import org.springframework.web.bind.annotation.DeleteMapping;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestHeader;
import org.springframework.web.bind.annotation.RestController;
import org.springframework.web.server.ServerWebExchange;
import reactor.core.publisher.Mono;
import tools.jackson.core.type.TypeReference;
import tools.jackson.databind.json.JsonMapper;

/** Adding, describing, serving and deleting gallery images. */
@RestController
class ImageController {

    private static final CacheControl IMMUTABLE =
            CacheControl.maxAge(Duration.ofDays(365)).cachePublic().immutable();

    private static final TypeReference<Map<String, Object>> JSON_OBJECT = new TypeReference<>() {};

    private final IngestionService ingestion;

    private final Candidates candidates;

    private final GalleryCatalog catalog;

    private final IndexSynchronizer synchronizer;

    private final RetrievalProperties properties;

    private final JsonMapper json;

    ImageController(
            IngestionService ingestion,
            Candidates candidates,
            GalleryCatalog catalog,
            IndexSynchronizer synchronizer,
            RetrievalProperties properties,
            JsonMapper json) {
        this.ingestion = ingestion;
        this.candidates = candidates;
        this.catalog = catalog;
        this.synchronizer = synchronizer;
        this.properties = properties;
        this.json = json;
    }

    @PostMapping(path = "/v1/gallery/images", consumes = MediaType.APPLICATION_JSON_VALUE)
    Mono<ResponseEntity<ImageView>> addJson(@RequestBody IngestRequest request) {
        return this.ingestion.ingest(this.candidates.candidate(request, "")).map(this::created);
    }

    /** Multipart: part {@code file} holds the image; optional fields caption, tags (comma-separated or repeated), metadata (JSON). */
    @PostMapping(path = "/v1/gallery/images", consumes = MediaType.MULTIPART_FORM_DATA_VALUE)
    Mono<ResponseEntity<ImageView>> addMultipart(ServerWebExchange exchange) {
        Mono<Candidate> candidate = exchange.getMultipartData().flatMap(this::fromMultipart);
        return this.ingestion.ingest(candidate).map(this::created);
    }

    @PostMapping(path = "/v1/gallery/images:batch", consumes = MediaType.APPLICATION_JSON_VALUE)
    Mono<BatchResponse> addBatch(@RequestBody BatchRequest request) {
        List<IngestRequest> items = request.items() == null ? List.of() : request.items();
        if (items.isEmpty() || items.size() > this.properties.maxBatchItems()) {
            throw ApiException.badRequest(
                    "invalid_batch_size", "A batch holds 1 to " + this.properties.maxBatchItems() + " items.", "items");
        }
        List<Mono<Candidate>> candidates = new ArrayList<>();
        for (int i = 0; i < items.size(); i++) {
            candidates.add(this.candidates.candidate(items.get(i), "items[" + i + "]."));
        }
        return this.ingestion.ingestAll(candidates).map(outcomes -> BatchResponse.of(outcomes, this.properties));
    }

    @GetMapping("/v1/gallery/images/{id}")
    Mono<ImageView> describe(@PathVariable String id) {
        return this.catalog
                .find(id, false)
                .map(record -> ImageView.of(record, this.properties.contentUrl(id), false))
                .switchIfEmpty(Mono.error(() -> ImageReferences.notFound(id, "id")));
    }

    /** The stored bytes. Content-addressed, so they never change: immutable caching, ETag = SHA-256. */
    @GetMapping("/v1/gallery/images/{id}/content")
    Mono<ResponseEntity<byte[]>> content(
            @PathVariable String id,
            @RequestHeader(name = HttpHeaders.IF_NONE_MATCH, required = false) @Nullable String ifNoneMatch) {
        return this.catalog
                .content(id)
                .map(content -> {
                    String etag = "\"" + content.sha256() + "\"";
                    if (matches(ifNoneMatch, etag)) {
                        return ResponseEntity.status(HttpStatus.NOT_MODIFIED)
                                .eTag(etag)
                                .cacheControl(IMMUTABLE)
                                .<byte[]>build();
                    }
                    return ResponseEntity.ok()
                            .eTag(etag)
                            .cacheControl(IMMUTABLE)
                            .contentType(MediaType.parseMediaType(content.contentType()))
                            .header("X-Content-Type-Options", "nosniff")
                            .body(content.bytes());
                })
                .switchIfEmpty(Mono.error(() -> ImageReferences.notFound(id, "id")));
    }

    @DeleteMapping("/v1/gallery/images/{id}")
    Mono<Map<String, Object>> delete(@PathVariable String id) {
        return this.catalog
                .delete(id)
                .filter(generation -> generation > 0)
                .switchIfEmpty(Mono.error(() -> ImageReferences.notFound(id, "id")))
                .flatMap(generation -> this.synchronizer.awaitApplied(generation))
                .thenReturn(Map.of("id", id, "deleted", true));
    }

    private Mono<Candidate> fromMultipart(MultiValueMap<String, Part> parts) {
        if (!(parts.getFirst("file") instanceof FilePart file)) {
            return Mono.error(
                    ApiException.badRequest("missing_file", "The multipart request needs a 'file' part.", "file"));
        }
        List<String> tags = new ArrayList<>();
        parts.getOrDefault("tags", List.of()).stream()
                .map(ImageController::field)
                .flatMap(value -> Arrays.stream(value.split(",")))
                .filter(tag -> !tag.isBlank())
                .forEach(tags::add);
        String metadataJson = field(parts.getFirst("metadata"));
        Map<String, Object> metadata = metadataJson.isBlank() ? Map.of() : parseMetadata(metadataJson);
        ImageAttributes attributes = ImageAttributes.of(field(parts.getFirst("caption")), tags, metadata);
        long limit = this.properties.maxImageBytes().toBytes();
        return DataBufferUtils.join(file.content(), Math.toIntExact(Math.min(Integer.MAX_VALUE, limit)))
                .map(buffer -> new Candidate(DataBuffers.readAndRelease(buffer), attributes));
    }

    private Map<String, Object> parseMetadata(String text) {
        try {
            return this.json.readValue(text, JSON_OBJECT);
        } catch (RuntimeException malformed) {
            throw ApiException.badRequest("invalid_metadata", "'metadata' must be a JSON object.", "metadata");
        }
    }

    private static String field(@Nullable Part part) {
        return part instanceof FormFieldPart form ? form.value() : "";
    }

    private ResponseEntity<ImageView> created(IngestOutcome outcome) {
        ImageView view = ImageView.of(
                outcome.record(), this.properties.contentUrl(outcome.record().id()), outcome.created());
        return ResponseEntity.status(outcome.created() ? HttpStatus.CREATED : HttpStatus.OK)
                .body(view);
    }

    private static boolean matches(@Nullable String ifNoneMatch, String etag) {
        if (ifNoneMatch == null) {
            return false;
        }
        return Arrays.stream(ifNoneMatch.split(","))
                .map(String::strip)
                .anyMatch(
                        candidate -> candidate.equals("*") || candidate.equals(etag) || candidate.equals("W/" + etag));
    }

    record BatchRequest(@Nullable List<IngestRequest> items) {}

    record BatchResponse(List<BatchItem> results) {

        static BatchResponse of(List<IngestOutcome> outcomes, RetrievalProperties properties) {
            List<BatchItem> items = new ArrayList<>();
            for (int i = 0; i < outcomes.size(); i++) {
                IngestOutcome outcome = outcomes.get(i);
                items.add(
                        outcome.succeeded()
                                ? new BatchItem(
                                        i,
                                        outcome.created() ? "created" : "exists",
                                        ImageView.of(
                                                outcome.record(),
                                                properties.contentUrl(
                                                        outcome.record().id()),
                                                outcome.created()),
                                        null)
                                : new BatchItem(
                                        i,
                                        "failed",
                                        null,
                                        outcome.error().toResponse().error()));
            }
            return new BatchResponse(items);
        }
    }

    record BatchItem(int index, String status, @Nullable ImageView image, ErrorResponse.@Nullable Error error) {}
}
