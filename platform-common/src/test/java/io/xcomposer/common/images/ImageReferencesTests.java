package io.xcomposer.common.images;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import io.xcomposer.common.error.ApiException;
import io.xcomposer.common.fetch.FetchProperties;
import io.xcomposer.common.fetch.SafeImageFetcher;
import io.xcomposer.testsupport.RedisServerProcess;
import java.time.Duration;
import java.util.Base64;
import java.util.Map;
import org.apache.commons.codec.digest.DigestUtils;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.springframework.data.redis.connection.lettuce.LettuceConnectionFactory;
import org.springframework.http.HttpStatus;
import org.springframework.util.unit.DataSize;
import reactor.core.publisher.Mono;

/** One reading of image references, with uploads in a real Redis. */
class ImageReferencesTests {

    private static final Duration WAIT = Duration.ofSeconds(5);

    private static final ImageStoreProperties PROPERTIES =
            new ImageStoreProperties(Duration.ofMinutes(10), DataSize.ofKilobytes(64), 40_000);

    private static LettuceConnectionFactory connectionFactory;

    private final ImageStore uploads =
            new ImageStore(connectionFactory, PROPERTIES, new ImageValidator(PROPERTIES.limits()), null);

    private final SafeImageFetcher fetcher = new SafeImageFetcher(FetchProperties.defaults());

    @BeforeAll
    static void connect() {
        connectionFactory = TestRedis.connect(RedisServerProcess.shared());
    }

    @AfterAll
    static void disconnect() {
        connectionFactory.destroy();
    }

    @Test
    void dataUrlsAndPlainBase64AreInline() {
        byte[] png = ImageValidatorTests.png(4, 4);
        String base64 = Base64.getEncoder().encodeToString(png);
        ImageReferences references = new ImageReferences(this.uploads, this.fetcher, null, 1024);

        ResolvedImage dataUrl =
                references.resolve("data:image/png;base64," + base64, "url").block(WAIT);
        ResolvedImage plain = references.resolveOrBase64(base64, "images[0]").block(WAIT);

        assertThat(dataUrl.bytes()).isEqualTo(png);
        assertThat(dataUrl.source()).isEqualTo(ResolvedImage.Source.INLINE);
        assertThat(dataUrl.stored()).isFalse();
        assertThat(plain.bytes()).isEqualTo(png);
    }

    @Test
    void malformedOrOversizedInlineDataHasOneCodeNamingTheField() {
        ImageReferences references = new ImageReferences(this.uploads, this.fetcher, null, 16);

        ApiException notBase64 = refusal(references.resolve("data:image/png;base64,@@@", "messages[0].content[1]"));
        ApiException plainNotBase64 = refusal(references.resolveOrBase64("%%%", "images[2]"));
        ApiException tooLarge = refusal(references.inline("A".repeat(200), "image_base64"));

        assertThat(notBase64.code()).isEqualTo("invalid_base64");
        assertThat(notBase64.param()).isEqualTo("messages[0].content[1]");
        assertThat(plainNotBase64.code()).isEqualTo("invalid_base64");
        assertThat(plainNotBase64.param()).isEqualTo("images[2]");
        assertThat(tooLarge.status()).isEqualTo(HttpStatus.PAYLOAD_TOO_LARGE);
        assertThat(tooLarge.code()).isEqualTo("image_too_large");
    }

    @Test
    void anIdIsAGalleryImageFirstThenAnUpload() {
        byte[] uploaded = ImageValidatorTests.png(5, 5);
        StoredImage upload = this.uploads.put(uploaded, "file").block(WAIT);
        byte[] galleryBytes = ImageValidatorTests.png(6, 6);
        String galleryId = "img_" + "a".repeat(24);
        StoredImage galleryImage = new StoredImage(galleryId, DigestUtils.sha256Hex(galleryBytes), galleryBytes);
        Map<String, StoredImage> gallery = Map.of(galleryId, galleryImage);
        ImageReferences references =
                new ImageReferences(this.uploads, this.fetcher, id -> Mono.justOrEmpty(gallery.get(id)), 1024);

        ResolvedImage fromGallery = references.resolve(galleryId, "image_id").block(WAIT);
        ResolvedImage fromUploads = references.resolve(upload.id(), "image_id").block(WAIT);

        assertThat(fromGallery.source()).isEqualTo(ResolvedImage.Source.GALLERY);
        assertThat(fromGallery.bytes()).isEqualTo(galleryBytes);
        assertThat(fromGallery.sha256()).isEqualTo(galleryImage.sha256());
        assertThat(fromUploads.source()).isEqualTo(ResolvedImage.Source.UPLOAD);
        assertThat(fromUploads.bytes()).isEqualTo(uploaded);
        assertThat(fromUploads.stored()).isTrue();
    }

    @Test
    void unknownAndMalformedIdsAreTheSameErrorsWithOrWithoutAGallery() {
        ImageReferences withGallery = new ImageReferences(this.uploads, this.fetcher, id -> Mono.empty(), 1024);
        ImageReferences withoutGallery = new ImageReferences(this.uploads, this.fetcher, null, 1024);

        for (ImageReferences references : new ImageReferences[] {withGallery, withoutGallery}) {
            ApiException unknown = refusal(references.resolve("img_" + "0".repeat(24), "image_id"));
            ApiException malformed = refusal(references.resolveOrBase64("img_../../etc/passwd", "images[0]"));

            assertThat(unknown.status()).isEqualTo(HttpStatus.NOT_FOUND);
            assertThat(unknown.code()).isEqualTo("image_not_found");
            assertThat(unknown.param()).isEqualTo("image_id");
            assertThat(malformed.code()).isEqualTo("invalid_image_id");
            assertThat(malformed.param()).isEqualTo("images[0]");
        }
    }

    @Test
    void urlsGoThroughTheSafeFetcherAndItsRefusalsNameTheField() {
        ImageReferences references = new ImageReferences(this.uploads, this.fetcher, null, 1024);

        ApiException loopback = refusal(references.resolve("https://127.0.0.1/cat.png", "image_url"));
        ApiException plainHttp = refusal(references.resolveOrBase64("http://example.com/cat.png", "images[1]"));

        assertThat(loopback.code()).isEqualTo("image_url_forbidden");
        assertThat(loopback.param()).isEqualTo("image_url");
        assertThat(plainHttp.code()).isEqualTo("image_url_forbidden");
        assertThat(plainHttp.param()).isEqualTo("images[1]");
    }

    private static ApiException refusal(Mono<ResolvedImage> resolving) {
        return catchThrowableOfType(ApiException.class, () -> resolving.block(WAIT));
    }
}
