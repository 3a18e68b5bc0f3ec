package io.xcomposer.comprehension.vision;

import io.xcomposer.comprehension.config.ComprehensionProperties;
import io.xcomposer.comprehension.config.FeatureCacheProperties;
import io.xcomposer.comprehension.config.ModelSpecs;
import io.xcomposer.comprehension.config.ModelSpecsSource;
import io.xcomposer.inference.client.contract.ImageEmbeds;
import io.xcomposer.inference.client.tensor.Tensor;
import io.xcomposer.inference.client.tensor.TensorDatatype;
import java.nio.ByteBuffer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.data.redis.connection.ReactiveRedisConnectionFactory;
import org.springframework.data.redis.core.ReactiveRedisTemplate;
import org.springframework.data.redis.serializer.RedisSerializationContext;
import org.springframework.data.redis.serializer.RedisSerializer;
import org.springframework.stereotype.Component;
import reactor.core.publisher.Mono;

/**
 * Vision-encoder outputs in Redis: {@code xc:vf:{model}:{fingerprint}:{image sha256}} → the float32 little-endian
 * bytes of one image's {@code [Q, D]} features. The fingerprint covers the encoder's name, versions and parameters
 * and our preprocessing version. Every hit renews the TTL (GETEX), so entries in use stay and idle ones expire; a
 * value of the wrong size is treated as a miss. Redis trouble degrades to misses, never to failed requests.
 */
@Component
public class FeatureCache {

    private static final Logger log = LoggerFactory.getLogger(FeatureCache.class);

    private final ReactiveRedisTemplate<String, byte[]> redis;

    private final FeatureCacheProperties properties;

    private final String visionModel;

    private final ModelSpecsSource specs;

    public FeatureCache(
            ReactiveRedisConnectionFactory connectionFactory,
            FeatureCacheProperties properties,
            ModelSpecsSource specs,
            ComprehensionProperties comprehension) {
        this.redis = new ReactiveRedisTemplate<>(
                connectionFactory,
                RedisSerializationContext.<String, byte[]>newSerializationContext(RedisSerializer.string())
                        .value(RedisSerializer.byteArray())
                        .build());
        this.properties = properties;
        this.visionModel = comprehension.visionModel();
        this.specs = specs;
    }

    /** The cached {@code [Q, D]} features of the image with this SHA-256; empty on a miss. */
    public Mono<Tensor> get(String sha256) {
        long[] shape = shape();
        return this.redis
                .opsForValue()
                .getAndExpire(key(sha256), this.properties.ttl())
                .filter(bytes -> bytes.length == entryBytes(shape))
                .map(bytes -> new Tensor(ImageEmbeds.NAME, TensorDatatype.FP32.name(), shape, ByteBuffer.wrap(bytes)))
                .onErrorResume(error -> {
                    log.warn("feature cache read failed, encoding instead: {}", error.toString());
                    return Mono.empty();
                });
    }

    /** Caches {@code features} unless they exceed the per-entry size cap. */
    public Mono<Void> put(String sha256, Tensor features) {
        ByteBuffer data = features.data();
        if (data.remaining() != entryBytes(shape())
                || data.remaining() > this.properties.maxEntryBytes().toBytes()) {
            return Mono.empty();
        }
        byte[] bytes = new byte[data.remaining()];
        data.get(bytes);
        return this.redis
                .opsForValue()
                .set(key(sha256), bytes, this.properties.ttl())
                .then()
                .onErrorResume(error -> {
                    log.warn("feature cache write failed: {}", error.toString());
                    return Mono.empty();
                });
    }

    /** Keyed by the encoder's fingerprint, so a new model or preprocessing never reads stale features. */
    private String key(String sha256) {
        return "xc:vf:" + this.visionModel + ":" + this.specs.get().visionFingerprint() + ":" + sha256;
    }

    private long[] shape() {
        ModelSpecs current = this.specs.get();
        return new long[] {current.vision().imageTokens(), current.vision().hiddenSize()};
    }

    private static long entryBytes(long[] shape) {
        return shape[0] * shape[1] * Float.BYTES;
    }
}
