package io.xcomposer.retrieval.ingest;

import io.xcomposer.common.error.ApiException;
import io.xcomposer.common.images.ImageReferences;
import io.xcomposer.common.images.ResolvedImage;
import org.springframework.stereotype.Component;
import reactor.core.publisher.Mono;

/**
 * The bytes and description of an ingestion item: {@code image_base64} (optionally a {@code data:} URL) or a
 * {@code url} fetched under the platform's SSRF rules, read by the platform's {@link ImageReferences}.
 */
@Component
public class Candidates {

    private final ImageReferences references;

    public Candidates(ImageReferences references) {
        this.references = references;
    }

    /** Fails with a client error naming the field at fault ({@code paramPrefix} + the field). */
    public Mono<Candidate> candidate(IngestRequest request, String paramPrefix) {
        return Mono.defer(() -> {
            ImageAttributes attributes = request.attributes();
            boolean hasBase64 = request.imageBase64() != null;
            if (hasBase64 == (request.url() != null)) {
                return Mono.error(ApiException.badRequest(
                        "invalid_image_source",
                        "Give exactly one of 'image_base64' and 'url'.",
                        paramPrefix + "image_base64"));
            }
            Mono<ResolvedImage> image = hasBase64
                    ? this.references.inline(request.imageBase64(), paramPrefix + "image_base64")
                    : this.references.fetch(request.url(), paramPrefix + "url");
            return image.map(resolved -> new Candidate(resolved.bytes(), attributes));
        });
    }
}
