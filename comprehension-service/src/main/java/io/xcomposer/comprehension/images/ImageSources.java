package io.xcomposer.comprehension.images;

import java.util.Base64;
import java.util.Locale;

import io.xcomposer.common.error.ApiException;
import io.xcomposer.common.fetch.SafeImageFetcher;
import io.xcomposer.common.images.ImageStore;
import io.xcomposer.comprehension.config.ComprehensionProperties;
import io.xcomposer.inference.client.image.ImagePreprocessor;
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
			return this.store.get(url, param).map(stored -> new SourcedImage(stored.sha256(), stored.bytes(), true, param));
		}
		return this.fetcher.fetch(url)
			.map(bytes -> fromBytes(bytes, false, param))
			.onErrorMap(ApiException.class, error -> withParam(error, param));
	}

	/** Decodes a {@code data:[image/*];base64,...} URL, refusing oversized payloads before decoding them. */
	public byte[] decodeDataUrl(String url, String param) {
		int comma = url.indexOf(',');
		if (comma < 0) {
			throw ApiException.badRequest("invalid_image_url", "The data URL has no ',' before its data.", param);
		}
		String header = url.substring(5, comma).toLowerCase(Locale.ROOT);
		if (!header.endsWith(";base64")) {
			throw ApiException.badRequest("invalid_image_url", "Only base64 data URLs are accepted (data:image/png;base64,...).",
					param);
		}
		String mediaType = header.substring(0, header.length() - ";base64".length());
		if (!mediaType.isEmpty() && !mediaType.startsWith("image/") && !mediaType.equals("application/octet-stream")) {
			throw ApiException.badRequest("unsupported_image_format",
					"The data URL's media type '" + mediaType + "' is not an image type.", param);
		}
		return decodeBase64(url.substring(comma + 1), param);
	}

	/** Decodes plain base64 (whitespace ignored), refusing oversized payloads before decoding them. */
	public byte[] decodeBase64(String base64, String param) {
		if ((long) base64.length() * 3 / 4 > this.maxBytes + 3) {
			throw ApiException.payloadTooLarge("image_too_large", "The image has more than " + this.maxBytes
					+ " bytes, the most accepted.", param);
		}
		try {
			return Base64.getMimeDecoder().decode(base64);
		}
		catch (IllegalArgumentException malformed) {
			throw ApiException.badRequest("invalid_image_url", "The image data is not valid base64: "
					+ malformed.getMessage() + ".", param);
		}
	}

	private static SourcedImage fromBytes(byte[] bytes, boolean stored, String param) {
		return new SourcedImage(ImagePreprocessor.sha256(bytes), bytes, stored, param);
	}

	private static ApiException withParam(ApiException error, String param) {
		return new ApiException(error.status(), error.type(), error.code(), error.getMessage(), param);
	}

}
