package io.xcomposer.common.images;

import io.xcomposer.common.error.ApiException;
import io.xcomposer.common.fetch.SafeImageFetcher;
import org.jspecify.annotations.Nullable;
import org.springframework.http.HttpStatus;
import reactor.core.publisher.Mono;

/**
 * The one reading of an image reference in a request, with one set of error codes for every service:
 * <ul>
 * <li>a base64 {@code data:} URL (or, where a field takes it, plain base64): {@code invalid_base64} when it is not,
 *   413 {@code image_too_large} when it is over the size cap (judged from its length, before decoding);</li>
 * <li>an id ({@code img_…}): the service's {@link GalleryImages} first, if it has a gallery, then the uploads of the
 *   shared {@link ImageStore}; 400 {@code invalid_image_id} when it is not of the id's form, 404
 *   {@code image_not_found} when neither has it;</li>
 * <li>anything else is a URL, fetched by the {@link SafeImageFetcher} ({@code invalid_image_url},
 *   {@code image_url_forbidden}, {@code image_fetch_failed}, ...).</li>
 * </ul>
 * Every error names the request field ({@code param}). The bytes are not trusted here: the image checks decide
 * whether they are an image.
 */
public class ImageReferences {

    /** The code of text that is not base64 or not a base64 {@code data:} URL. */
    public static final String INVALID_BASE64 = "invalid_base64";

    private static final String ID_PREFIX = "img_";

    private final ImageStore uploads;

    private final SafeImageFetcher fetcher;

    private final @Nullable GalleryImages gallery;

    private final long maxBytes;

    /**
     * @param gallery the service's own images, looked up before the uploads; null for a service without one
     * @param maxBytes the size cap of inline images
     */
    public ImageReferences(
            ImageStore uploads, SafeImageFetcher fetcher, @Nullable GalleryImages gallery, long maxBytes) {
        this.uploads = uploads;
        this.fetcher = fetcher;
        this.gallery = gallery;
        this.maxBytes = maxBytes;
    }

    /** A {@code data:} URL, an id or a URL (what OpenAI's {@code image_url.url} holds). */
    public Mono<ResolvedImage> resolve(String reference, String param) {
        if (isDataUrl(reference)) {
            return inline(reference, param);
        }
        if (reference.startsWith(ID_PREFIX)) {
            return byId(reference, param);
        }
        return fetch(reference, param);
    }

    /** {@link #resolve}, and plain base64 too, for fields that take every kind of reference. */
    public Mono<ResolvedImage> resolveOrBase64(String reference, String param) {
        if (isDataUrl(reference) || reference.startsWith(ID_PREFIX) || looksLikeUrl(reference)) {
            return resolve(reference, param);
        }
        return inline(reference, param);
    }

    /** Plain base64 or a base64 {@code data:} URL. */
    public Mono<ResolvedImage> inline(String data, String param) {
        return Mono.fromCallable(() -> new ResolvedImage(ResolvedImage.Source.INLINE, decode(data, param), null));
    }

    /** {@link #inline}, decoded on the calling thread. */
    public byte[] decode(String data, String param) {
        return Base64Images.decode(data, this.maxBytes, param, INVALID_BASE64);
    }

    /** A gallery image (where the service has a gallery), else an uploaded one. */
    public Mono<ResolvedImage> byId(String id, String param) {
        if (!ImageStore.isImageId(id)) {
            return Mono.error(ApiException.badRequest(
                    "invalid_image_id", "'" + id + "' is not an image id (img_ followed by 24 hex digits).", param));
        }
        Mono<ResolvedImage> fromGallery = this.gallery == null
                ? Mono.empty()
                : this.gallery.find(id).map(image -> stored(ResolvedImage.Source.GALLERY, image));
        return fromGallery.switchIfEmpty(Mono.defer(() -> this.uploads
                .get(id, param)
                .map(image -> stored(ResolvedImage.Source.UPLOAD, image))
                .onErrorMap(
                        ApiException.class,
                        error -> error.status() == HttpStatus.NOT_FOUND ? notFound(id, param) : error)));
    }

    /** An image fetched from a URL under the platform's SSRF rules. */
    public Mono<ResolvedImage> fetch(String url, String param) {
        return this.fetcher
                .fetch(url)
                .map(bytes -> new ResolvedImage(ResolvedImage.Source.URL, bytes, null))
                .onErrorMap(ApiException.class, error -> withParam(error, param));
    }

    /** 404 {@code image_not_found}: the same answer for an unknown, expired or deleted image everywhere. */
    public static ApiException notFound(String id, String param) {
        return ApiException.notFound(
                "image_not_found",
                "No image has the id '" + id + "'; uploaded images expire after a while, upload it again.",
                param);
    }

    private static ResolvedImage stored(ResolvedImage.Source source, StoredImage image) {
        return new ResolvedImage(source, image.bytes(), image.sha256());
    }

    private static boolean isDataUrl(String reference) {
        return reference.regionMatches(true, 0, "data:", 0, 5);
    }

    private static boolean looksLikeUrl(String reference) {
        return reference.contains("://");
    }

    private static ApiException withParam(ApiException error, String param) {
        return error.param() != null
                ? error
                : new ApiException(error.status(), error.type(), error.code(), error.getMessage(), param);
    }
}
