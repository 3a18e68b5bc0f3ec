package io.xcomposer.comprehension.images;

import io.xcomposer.common.error.ApiException;
import io.xcomposer.common.images.ImageReferences;
import io.xcomposer.common.images.ImageStore;
import io.xcomposer.common.images.ImageValidator;
import io.xcomposer.common.web.DataBuffers;
import io.xcomposer.inference.client.image.ImageFormat;
import io.xcomposer.inference.client.image.ImageInfo;
import java.time.Duration;
import java.util.Locale;
import org.jspecify.annotations.Nullable;
import org.springframework.core.io.buffer.DataBufferUtils;
import org.springframework.http.CacheControl;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.http.codec.multipart.FilePart;
import org.springframework.http.codec.multipart.Part;
import org.springframework.util.MultiValueMap;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RestController;
import reactor.core.publisher.Mono;

/**
 * Uploaded images: {@code POST /v1/images} stores an image so later requests (chat on any replica, composition,
 * search, embeddings) can refer to it by id; multipart with a {@code file} part, or JSON
 * {@code {"image": "<base64 or data URL>"}}. The image store checks the bytes (format, size, pixel count,
 * decodable) before storing them. {@code GET /v1/images/{id}} describes one, {@code GET /v1/images/{id}/content}
 * serves its bytes (public at the gateway, so Markdown renderers can show it).
 */
@RestController
class ImageController {

    private final ImageStore store;

    private final ImageReferences references;

    private final ImageValidator validator;

    ImageController(ImageStore store, ImageReferences references, ImageValidator validator) {
        this.store = store;
        this.references = references;
        this.validator = validator;
    }

    @PostMapping(path = "/v1/images", consumes = MediaType.MULTIPART_FORM_DATA_VALUE)
    Mono<UploadedImage> uploadFile(@RequestBody Mono<MultiValueMap<String, Part>> form) {
        return form.flatMap(parts -> {
                    Part file = parts.getFirst("file");
                    if (!(file instanceof FilePart)) {
                        return Mono.error(ApiException.badRequest(
                                "missing_file", "Send the image as a multipart file part named 'file'.", "file"));
                    }
                    return DataBufferUtils.join(file.content()).map(DataBuffers::readAndRelease);
                })
                .flatMap(bytes -> store(bytes, "file"));
    }

    @PostMapping(path = "/v1/images", consumes = MediaType.APPLICATION_JSON_VALUE)
    Mono<UploadedImage> uploadJson(@RequestBody ImageUploadRequest request) {
        if (request.image() == null || request.image().isBlank()) {
            return Mono.error(ApiException.badRequest(
                    "missing_image", "'image' must hold the image as base64 or as a data URL.", "image"));
        }
        String image = request.image();
        return this.references.inline(image, "image").flatMap(inline -> store(inline.bytes(), "image"));
    }

    @GetMapping("/v1/images/{id}")
    Mono<UploadedImage> describe(@PathVariable String id) {
        return this.store
                .get(id, "id")
                .flatMap(stored -> this.validator
                        .validate(stored.bytes(), "id")
                        .map(info -> UploadedImage.of(stored.id(), stored.bytes().length, info)));
    }

    /** The bytes as uploaded; immutable, since the id is their content hash. */
    @GetMapping("/v1/images/{id}/content")
    Mono<ResponseEntity<byte[]>> content(@PathVariable String id) {
        return this.store
                .get(id, "id")
                .map(stored -> ResponseEntity.ok()
                        .contentType(MediaType.parseMediaType(
                                "image/" + ImageFormat.sniff(stored.bytes()).readerFormatName()))
                        .eTag("\"" + stored.sha256() + "\"")
                        .cacheControl(CacheControl.maxAge(Duration.ofDays(1))
                                .cachePublic()
                                .immutable())
                        .header("X-Content-Type-Options", "nosniff")
                        .body(stored.bytes()));
    }

    private Mono<UploadedImage> store(byte[] bytes, String param) {
        return this.store
                .upload(bytes, param)
                .map(upload -> UploadedImage.of(upload.image().id(), bytes.length, upload.info()));
    }

    /** JSON upload body. */
    record ImageUploadRequest(@Nullable String image) {}

    /** An uploaded image, as the upload answers and {@code GET /v1/images/{id}} describes it. */
    record UploadedImage(String id, String object, long bytes, String format, int width, int height) {

        static UploadedImage of(String id, long bytes, ImageInfo image) {
            return new UploadedImage(
                    id, "image", bytes, image.format().name().toLowerCase(Locale.ROOT), image.width(), image.height());
        }
    }
}
