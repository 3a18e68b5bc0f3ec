package io.xcomposer.common.images;

import io.xcomposer.common.inference.InferenceErrors;
import io.xcomposer.inference.client.image.ImageInfo;
import io.xcomposer.inference.client.image.ImageLimits;
import io.xcomposer.inference.client.image.ImagePreprocessor;
import io.xcomposer.inference.client.image.ImageRejectedException;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Schedulers;

/**
 * The one check of untrusted image bytes for services that store or relay an image without encoding it (uploads,
 * composition {@code user_images}): the same rules as the model's {@link ImagePreprocessor} (size cap, PNG / JPEG /
 * WebP / GIF by magic bytes, pixel count from the header, a full decode), so SVG, HTML, empty or truncated data is
 * refused before it is stored or served back. Services that encode an image anyway (chat, gallery, embeddings) get
 * the same checks from the preprocessor itself. Failures are client errors naming the request field.
 */
public class ImageValidator {

    private final ImageLimits limits;

    public ImageValidator(ImageLimits limits) {
        this.limits = limits;
    }

    /** Checks on the calling thread; throws a 400 / 413 {@code ApiException} with {@code param}. */
    public ImageInfo check(byte[] bytes, String param) {
        try {
            return ImagePreprocessor.inspect(bytes, this.limits);
        } catch (ImageRejectedException rejected) {
            throw InferenceErrors.rejectedImage(rejected, param);
        }
    }

    /** Checks off the event loop (a decode is CPU work). */
    public Mono<ImageInfo> validate(byte[] bytes, String param) {
        return Mono.fromCallable(() -> check(bytes, param)).subscribeOn(Schedulers.boundedElastic());
    }
}
