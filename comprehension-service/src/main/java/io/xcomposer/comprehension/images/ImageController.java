package io.xcomposer.comprehension.images;

import io.xcomposer.common.error.ApiException;
import io.xcomposer.common.images.ImageStore;
import io.xcomposer.comprehension.config.ModelSpecsSource;
import io.xcomposer.inference.client.image.PreprocessedImage;
import org.jspecify.annotations.Nullable;
import org.springframework.core.io.buffer.DataBufferUtils;
import org.springframework.http.MediaType;
import org.springframework.http.codec.multipart.FilePart;
import org.springframework.http.codec.multipart.Part;
import org.springframework.util.MultiValueMap;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RestController;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Schedulers;

/**
 * {@code POST /v1/images}: stores an image so later requests (chat on any replica, composition, search) can refer
 * to it by id. Multipart with a {@code file} part, or JSON {@code {"image": "<base64 or data URL>"}}. The bytes
 * are validated as an image (format, size, pixel count, decodable) before they are stored.
 */
@RestController
class ImageController {

	private final ImageStore store;

	private final ImageSources sources;

	private final ModelSpecsSource specs;

	ImageController(ImageStore store, ImageSources sources, ModelSpecsSource specs) {
		this.store = store;
		this.sources = sources;
		this.specs = specs;
	}

	@PostMapping(path = "/v1/images", consumes = MediaType.MULTIPART_FORM_DATA_VALUE)
	Mono<UploadedImage> uploadFile(@RequestBody Mono<MultiValueMap<String, Part>> form) {
		return form.flatMap(parts -> {
			Part file = parts.getFirst("file");
			if (!(file instanceof FilePart)) {
				return Mono.error(ApiException.badRequest("missing_file",
						"Send the image as a multipart file part named 'file'.", "file"));
			}
			return DataBufferUtils.join(file.content()).map(buffer -> {
				byte[] bytes = new byte[buffer.readableByteCount()];
				buffer.read(bytes);
				DataBufferUtils.release(buffer);
				return bytes;
			});
		}).flatMap(this::validateAndStore);
	}

	@PostMapping(path = "/v1/images", consumes = MediaType.APPLICATION_JSON_VALUE)
	Mono<UploadedImage> uploadJson(@RequestBody ImageUploadRequest request) {
		if (request.image() == null || request.image().isBlank()) {
			return Mono.error(ApiException.badRequest("missing_image",
					"'image' must hold the image as base64 or as a data URL.", "image"));
		}
		String image = request.image();
		return Mono.fromCallable(() -> image.regionMatches(true, 0, "data:", 0, 5)
				? this.sources.decodeDataUrl(image, "image") : this.sources.decodeBase64(image, "image"))
			.flatMap(this::validateAndStore);
	}

	private Mono<UploadedImage> validateAndStore(byte[] bytes) {
		return Mono.fromCallable(() -> this.specs.preprocessor().preprocess(bytes))
			.subscribeOn(Schedulers.boundedElastic())
			.flatMap(checked -> this.store.put(bytes).map(stored -> UploadedImage.of(stored.id(), bytes.length, checked)));
	}

	/** JSON upload body. */
	record ImageUploadRequest(@Nullable String image) {
	}

	/** The upload's answer. */
	record UploadedImage(String id, String object, long bytes, String format, int width, int height) {

		static UploadedImage of(String id, long bytes, PreprocessedImage image) {
			return new UploadedImage(id, "image", bytes, image.format().name().toLowerCase(), image.originalWidth(),
					image.originalHeight());
		}

	}

}
