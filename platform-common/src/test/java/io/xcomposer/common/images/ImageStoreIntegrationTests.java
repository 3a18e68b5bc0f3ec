package io.xcomposer.common.images;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import io.xcomposer.common.error.ApiException;
import io.xcomposer.testsupport.RedisServerProcess;
import java.time.Duration;
import org.apache.commons.codec.digest.DigestUtils;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.springframework.data.redis.connection.lettuce.LettuceConnectionFactory;
import org.springframework.http.HttpStatus;
import org.springframework.util.unit.DataSize;

class ImageStoreIntegrationTests {

    private static final Duration WAIT = Duration.ofSeconds(5);

    private static RedisServerProcess redis;

    private static LettuceConnectionFactory connectionFactory;

    private static final ImageStoreProperties PROPERTIES =
            new ImageStoreProperties(Duration.ofMinutes(10), DataSize.ofKilobytes(1), 40_000);

    private final ImageStore store =
            new ImageStore(connectionFactory, PROPERTIES, new ImageValidator(PROPERTIES.limits()), null);

    @BeforeAll
    static void connect() {
        redis = RedisServerProcess.shared();
        connectionFactory = TestRedis.connect(redis);
    }

    @AfterAll
    static void disconnect() {
        connectionFactory.destroy();
    }

    @Test
    void storesUnderAContentIdWithTtlAndReadsBack() {
        byte[] bytes = ImageValidatorTests.png(8, 8);

        StoredImage stored = this.store.put(bytes, "image").block(WAIT);

        String sha256 = DigestUtils.sha256Hex(bytes);
        assertThat(stored.id()).isEqualTo("img_" + sha256.substring(0, 24)).matches("img_[0-9a-f]{24}");
        assertThat(stored.sha256()).isEqualTo(sha256);
        long ttl = Long.parseLong(redis.command("TTL", "xc:img:" + stored.id()).substring(1));
        assertThat(ttl).isBetween(590L, 600L);
        StoredImage read = this.store.get(stored.id(), "image").block(WAIT);
        assertThat(read.bytes()).isEqualTo(bytes);
        assertThat(read.sha256()).isEqualTo(sha256);
        assertThat(this.store.put(bytes, "image").block(WAIT).id())
                .as("same bytes, same id")
                .isEqualTo(stored.id());
    }

    @Test
    void withADeploymentSecretIdsCannotBeComputedFromTheBytes() {
        byte[] bytes = ImageValidatorTests.png(9, 7);
        String sha256 = DigestUtils.sha256Hex(bytes);
        ImageStore keyed = new ImageStore(
                connectionFactory, PROPERTIES, new ImageValidator(PROPERTIES.limits()), "st-deployment-secret");
        ImageStore sameDeployment = new ImageStore(
                connectionFactory, PROPERTIES, new ImageValidator(PROPERTIES.limits()), "st-deployment-secret");
        ImageStore otherDeployment = new ImageStore(
                connectionFactory, PROPERTIES, new ImageValidator(PROPERTIES.limits()), "st-another-secret");

        StoredImage stored = keyed.put(bytes, "image").block(WAIT);

        assertThat(stored.id())
                .matches("img_[0-9a-f]{24}")
                .isNotEqualTo("img_" + sha256.substring(0, 24))
                .isEqualTo(sameDeployment.idOf(sha256))
                .isNotEqualTo(otherDeployment.idOf(sha256));
        assertThat(sameDeployment.put(bytes, "image").block(WAIT).id())
                .as("idempotent across replicas")
                .isEqualTo(stored.id());
        assertThat(sameDeployment.get(stored.id(), "image").block(WAIT).bytes()).isEqualTo(bytes);
    }

    @Test
    void unknownIdIsNotFound() {
        ApiException missing = catchThrowableOfType(
                ApiException.class,
                () -> this.store
                        .get("img_000000000000000000000000", "messages[0]")
                        .block(WAIT));

        assertThat(missing.status()).isEqualTo(HttpStatus.NOT_FOUND);
        assertThat(missing.code()).isEqualTo("image_not_found");
        assertThat(missing.param()).isEqualTo("messages[0]");
    }

    @Test
    void malformedIdIsABadRequest() {
        ApiException malformed = catchThrowableOfType(
                ApiException.class,
                () -> this.store.get("img_../../etc", "image").block(WAIT));

        assertThat(malformed.status()).isEqualTo(HttpStatus.BAD_REQUEST);
        assertThat(malformed.code()).isEqualTo("invalid_image_id");
    }

    @Test
    void refusesImagesOverTheCap() {
        ApiException tooLarge = catchThrowableOfType(
                ApiException.class,
                () -> this.store.put(new byte[2048], "image").block(WAIT));

        assertThat(tooLarge.status()).isEqualTo(HttpStatus.PAYLOAD_TOO_LARGE);
        assertThat(tooLarge.code()).isEqualTo("image_too_large");
    }

    @Test
    void storesNothingThatIsNotAnImage() {
        byte[] svg = "<svg xmlns=\"http://www.w3.org/2000/svg\"/>".getBytes();

        ApiException refused = catchThrowableOfType(
                ApiException.class, () -> this.store.put(svg, "user_images[0]").block(WAIT));

        assertThat(refused.code()).isEqualTo("unsupported_image_format");
        assertThat(refused.param()).isEqualTo("user_images[0]");
        String id = this.store.idOf(DigestUtils.sha256Hex(svg));
        assertThat(redis.command("EXISTS", "xc:img:" + id)).isEqualTo(":0");
    }
}
