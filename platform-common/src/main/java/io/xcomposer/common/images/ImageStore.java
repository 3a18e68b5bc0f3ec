package io.xcomposer.common.images;

import io.xcomposer.common.error.ApiException;
import io.xcomposer.inference.client.image.ImageInfo;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.util.HexFormat;
import java.util.regex.Pattern;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.apache.commons.codec.digest.DigestUtils;
import org.jspecify.annotations.Nullable;
import org.springframework.data.redis.connection.ReactiveRedisConnectionFactory;
import org.springframework.data.redis.core.ReactiveRedisTemplate;
import org.springframework.data.redis.serializer.RedisSerializationContext;
import org.springframework.data.redis.serializer.RedisSerializer;
import reactor.core.publisher.Mono;

/**
 * Uploaded image bytes in Redis under {@code xc:img:{id}} with a TTL, so an id returned by one replica works in
 * chat, composition and search on every replica. The id is content-derived, so uploading the same bytes twice gives
 * the same id and renews its TTL: {@code img_} + 24 hex of an HMAC-SHA256 of the bytes' SHA-256 keyed with the
 * deployment's service token, so nobody outside can compute the id of an image they hold (and then load it from
 * the public {@code /content} link, or learn that it was uploaded). Without a token (local runs) it is the first
 * 24 hex of the SHA-256 itself. Nothing enters unchecked: every
 * put goes through the {@link ImageValidator}, so what the store serves back is always a real raster image.
 */
public class ImageStore {

    public static final String KEY_PREFIX = "xc:img:";

    private static final Pattern ID = Pattern.compile("img_[0-9a-f]{24}");

    private static final String ID_MAC = "HmacSHA256";

    private final ReactiveRedisTemplate<String, byte[]> redis;

    private final ImageStoreProperties properties;

    private final ImageValidator validator;

    private final @Nullable SecretKeySpec idKey;

    public ImageStore(
            ReactiveRedisConnectionFactory connectionFactory,
            ImageStoreProperties properties,
            ImageValidator validator,
            @Nullable String idSecret) {
        RedisSerializationContext<String, byte[]> serialization =
                RedisSerializationContext.<String, byte[]>newSerializationContext(RedisSerializer.string())
                        .value(RedisSerializer.byteArray())
                        .build();
        this.redis = new ReactiveRedisTemplate<>(connectionFactory, serialization);
        this.properties = properties;
        this.validator = validator;
        this.idKey = idSecret == null || idSecret.isBlank()
                ? null
                : new SecretKeySpec(idSecret.getBytes(StandardCharsets.UTF_8), ID_MAC);
    }

    /** Whether {@code text} has the form of an image id (it may still be unknown or expired). */
    public static boolean isImageId(String text) {
        return ID.matcher(text).matches();
    }

    /** The id of the image whose bytes have this SHA-256 (hex). */
    public String idOf(String sha256) {
        if (this.idKey == null) {
            return "img_" + sha256.substring(0, 24);
        }
        try {
            Mac mac = Mac.getInstance(ID_MAC);
            mac.init(this.idKey);
            byte[] keyed = mac.doFinal(("image-id:" + sha256).getBytes(StandardCharsets.UTF_8));
            return "img_" + HexFormat.of().formatHex(keyed).substring(0, 24);
        } catch (GeneralSecurityException unavailable) {
            throw new IllegalStateException(ID_MAC + " is part of every JDK", unavailable);
        }
    }

    /**
     * Checks that {@code bytes} are an accepted image (400 / 413 naming {@code param} otherwise), stores them and
     * emits their id.
     */
    public Mono<StoredImage> put(byte[] bytes, String param) {
        return upload(bytes, param).map(Upload::image);
    }

    /** {@link #put}, also telling what the check found (format, size in pixels). */
    public Mono<Upload> upload(byte[] bytes, String param) {
        long maxBytes = this.properties.maxBytes().toBytes();
        if (bytes.length > maxBytes) {
            return Mono.error(ApiException.payloadTooLarge(
                    "image_too_large",
                    "The image has " + bytes.length + " bytes, at most " + maxBytes + " are accepted.",
                    param));
        }
        return this.validator.validate(bytes, param).flatMap(info -> {
            String sha256 = DigestUtils.sha256Hex(bytes);
            StoredImage image = new StoredImage(idOf(sha256), sha256, bytes);
            return this.redis
                    .opsForValue()
                    .set(key(image.id()), bytes, this.properties.ttl())
                    .thenReturn(new Upload(image, info));
        });
    }

    /** The image with this id; 404 {@code image_not_found} when it is unknown or expired. */
    public Mono<StoredImage> get(String id, String param) {
        if (!isImageId(id)) {
            return Mono.error(ApiException.badRequest(
                    "invalid_image_id", "'" + id + "' is not an image id (img_ followed by 24 hex digits).", param));
        }
        return this.redis
                .opsForValue()
                .get(key(id))
                .map(bytes -> new StoredImage(id, DigestUtils.sha256Hex(bytes), bytes))
                .switchIfEmpty(Mono.error(() -> ApiException.notFound(
                        "image_not_found",
                        "No uploaded image has the id '" + id + "'; it may have expired. Upload it again.",
                        param)));
    }

    /** A stored image and what its check found. */
    public record Upload(StoredImage image, ImageInfo info) {}

    private static String key(String id) {
        return KEY_PREFIX + id;
    }
}
