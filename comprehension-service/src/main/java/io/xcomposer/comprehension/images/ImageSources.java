package io.xcomposer.comprehension.images;

import io.xcomposer.common.error.ApiException;
import io.xcomposer.common.fetch.SafeImageFetcher;
import io.xcomposer.common.images.Base64Images;
import io.xcomposer.common.images.ImageStore;
import io.xcomposer.comprehension.config.ComprehensionProperties;
import org.apache.commons.codec.digest.DigestUtils;
import org.springframework.stereotype.Component;
import reactor.core.publisher.Mono;

/**
 * Turns an {@code image_url.url} into image bytes: a base64 {@code data:} URL, an uploaded image id
 * ({@code img_…}, from the {@link ImageStore}) or an https URL (through the {@link SafeImageFetcher}). Errors name
 * the request field.
 */
@Component
public class ImageSources {

    private final ImageStore store;

    private final SafeImageFetcher fetcher;

    private final long maxBytes;

    public ImageSources(ImageStore store, SafeImageFetcher fetcher, ComprehensionProperties properties) {
        this.store = store;
        this.fetcher = fetcher;
        this.maxBytes = properties.imageMaxBytes().toBytes();
    }

    public Mono<SourcedImage> resolve(String url, String param) {
        if (url.regionMatches(true, 0, "data:", 0, 5)) {
            return Mono.fromCallable(() -> fromBytes(decodeDataUrl(url, param), false, param));
        }
        if (url.startsWith("img_")) {
            return this.store
                    .get(url, param)
                    .map(stored -> new SourcedImage(stored.sha256(), stored.bytes(), true, param));
        }
        return this.fetcher
                .fetch(url)
                .map(bytes -> fromBytes(bytes, false, param))
                .onErrorMap(ApiException.class, error -> withParam(error, param));
    }

    /** Decodes a {@code data:[image/*];base64,...} URL, refusing oversized payloads before decoding them. */
    public byte[] decodeDataUrl(String url, String param) {
        return Base64Images.decode(url, this.maxBytes, param, "invalid_image_url");
    }

    /** Decodes plain base64 (whitespace ignored), refusing oversized payloads before decoding them. */
    public byte[] decodeBase64(String base64, String param) {
        return Base64Images.decode(base64, this.maxBytes, param, "invalid_image_url");
    }

    private static SourcedImage fromBytes(byte[] bytes, boolean stored, String param) {
        return new SourcedImage(DigestUtils.sha256Hex(bytes), bytes, stored, param);
    }

    private static ApiException withParam(ApiException error, String param) {
        return new ApiException(error.status(), error.type(), error.code(), error.getMessage(), param);
    }
}
