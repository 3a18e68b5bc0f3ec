package io.xcomposer.retrieval.ingest;

import io.xcomposer.common.error.ApiException;
import io.xcomposer.common.fetch.SafeImageFetcher;
import io.xcomposer.common.images.Base64Images;
import io.xcomposer.common.images.ImageStore;
import io.xcomposer.common.images.StoredImage;
import io.xcomposer.retrieval.catalog.GalleryCatalog;
import io.xcomposer.retrieval.config.RetrievalProperties;
import org.springframework.http.HttpStatus;
import org.springframework.stereotype.Component;
import reactor.core.publisher.Mono;

/**
 * Where image bytes come from: base64 (optionally a {@code data:} URL), a URL fetched under the platform's SSRF
 * rules ({@link SafeImageFetcher}), a stored gallery image, or an image uploaded with {@code POST /v1/images} (the
 * shared {@link ImageStore} in Redis; both kinds of id are {@code img_} + a content hash, so the same bytes have
 * the same id in both). The bytes are not trusted here: the image preprocessor decides whether they are an image.
 */
@Component
public class ImageSources {

    private final SafeImageFetcher fetcher;

    private final GalleryCatalog catalog;

    private final ImageStore uploads;

    private final long maxBytes;

    public ImageSources(
            SafeImageFetcher fetcher, GalleryCatalog catalog, ImageStore uploads, RetrievalProperties properties) {
        this.fetcher = fetcher;
        this.catalog = catalog;
        this.uploads = uploads;
        this.maxBytes = properties.maxImageBytes().toBytes();
    }

    /** The bytes and description of an ingestion item; fails with a client error naming the field at fault. */
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
            Mono<byte[]> bytes = hasBase64
                    ? fromBase64(request.imageBase64(), paramPrefix + "image_base64")
                    : fromUrl(request.url());
            return bytes.map(data -> new Candidate(data, attributes));
        });
    }

    public Mono<byte[]> fromBase64(String data, String param) {
        return Mono.fromCallable(() -> decode(data, param));
    }

    public Mono<byte[]> fromUrl(String url) {
        return this.fetcher.fetch(url);
    }

    /** A gallery image's bytes, else an uploaded image's; 404 when neither has the id. */
    public Mono<byte[]> fromId(String id, String param) {
        return this.catalog
                .content(id)
                .map(content -> content.bytes())
                .switchIfEmpty(Mono.defer(() -> fromUpload(id, param)));
    }

    /** An uploaded image's bytes; 404 {@code image_not_found} when there is none with the id. */
    public Mono<byte[]> fromUpload(String id, String param) {
        return this.uploads
                .get(id, param)
                .map(StoredImage::bytes)
                .onErrorMap(
                        ApiException.class,
                        error -> error.status() == HttpStatus.NOT_FOUND ? unknownImage(id, param) : error);
    }

    /** A string that is an id, a URL or base64, as the embeddings endpoint accepts. */
    public Mono<byte[]> fromAny(String reference, String param) {
        if (ImageStore.isImageId(reference)) {
            return fromId(reference, param);
        }
        if (reference.startsWith("https://") || reference.startsWith("http://")) {
            return fromUrl(reference);
        }
        return fromBase64(reference, param);
    }

    public static ApiException unknownImage(String id, String param) {
        return ApiException.notFound(
                "image_not_found",
                "No gallery image or uploaded image has the id '" + id + "'; uploads expire after a while.",
                param);
    }

    private byte[] decode(String data, String param) {
        return Base64Images.decode(data, this.maxBytes, param, "invalid_base64");
    }
}
