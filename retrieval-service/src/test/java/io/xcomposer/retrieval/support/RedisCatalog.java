package io.xcomposer.retrieval.support;

import io.xcomposer.retrieval.catalog.GalleryCatalog;
import io.xcomposer.retrieval.catalog.NewImage;
import io.xcomposer.retrieval.config.RetrievalProperties;
import io.xcomposer.testsupport.RedisServerProcess;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.springframework.data.redis.connection.RedisStandaloneConfiguration;
import org.springframework.data.redis.connection.lettuce.LettuceConnectionFactory;
import org.springframework.data.redis.core.ReactiveStringRedisTemplate;
import org.springframework.util.unit.DataSize;
import tools.jackson.databind.json.JsonMapper;

/**
 * A gallery catalog in a real redis-server (the JVM's shared test process), under a key prefix of its own so tests
 * never see each other's data, for unit tests of the parts that read or write the catalog.
 */
public final class RedisCatalog implements AutoCloseable {

    public static final Duration WAIT = Duration.ofSeconds(10);

    private final LettuceConnectionFactory connections;

    private final RetrievalProperties properties;

    private final GalleryCatalog catalog;

    private final JsonMapper json = JsonMapper.builder().build();

    private RedisCatalog(RedisServerProcess redis, int embedBatchSize, Duration jobLease) {
        this.connections = new LettuceConnectionFactory(new RedisStandaloneConfiguration(redis.host(), redis.port()));
        this.connections.afterPropertiesSet();
        this.connections.start();
        this.properties = properties("{test-" + UUID.randomUUID() + "}", embedBatchSize, jobLease);
        this.catalog = new GalleryCatalog(this.connections, this.json, this.properties);
    }

    public static RedisCatalog open() {
        return new RedisCatalog(RedisServerProcess.shared(), 16, Duration.ofSeconds(30));
    }

    /** On a Redis of the test's own, e.g. one that is not running yet. */
    public static RedisCatalog open(RedisServerProcess redis) {
        return new RedisCatalog(redis, 16, Duration.ofSeconds(30));
    }

    /** With bulk jobs' chunk size ({@code embedBatchSize}) and lease TTL set. */
    public static RedisCatalog open(int embedBatchSize, Duration jobLease) {
        return new RedisCatalog(RedisServerProcess.shared(), embedBatchSize, jobLease);
    }

    public GalleryCatalog catalog() {
        return this.catalog;
    }

    public RetrievalProperties properties() {
        return this.properties;
    }

    public JsonMapper json() {
        return this.json;
    }

    public LettuceConnectionFactory connections() {
        return this.connections;
    }

    public ReactiveStringRedisTemplate strings() {
        return new ReactiveStringRedisTemplate(this.connections);
    }

    /** Stores an image whose bytes are {@code name} and whose vector is {@code vector}; its new generation. */
    public long insert(String name, float[] vector, String... tags) {
        byte[] bytes = name.getBytes(StandardCharsets.UTF_8);
        NewImage image = new NewImage(bytes, sha256Of(name), "image/png", name, List.of(tags), Map.of(), vector);
        return this.catalog.insert(image).block(WAIT);
    }

    /** The id {@link #insert} gives {@code name}. */
    public static String idOf(String name) {
        return NewImage.idFor(sha256Of(name));
    }

    public long delete(String name) {
        return this.catalog.delete(idOf(name)).block(WAIT);
    }

    /** Deletes every key of this catalog, as a wiped Redis would: the next use starts a new epoch. */
    public void wipe() {
        strings()
                .keys(this.catalog.key("*"))
                .flatMap(key -> strings().delete(key))
                .blockLast(WAIT);
    }

    @Override
    public void close() {
        wipe();
        this.connections.destroy();
    }

    private static String sha256Of(String name) {
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256").digest(name.getBytes(StandardCharsets.UTF_8));
            return HexFormat.of().formatHex(digest);
        } catch (NoSuchAlgorithmException impossible) {
            throw new IllegalStateException(impossible);
        }
    }

    private static RetrievalProperties properties(String keyPrefix, int embedBatchSize, Duration jobLease) {
        return new RetrievalProperties(
                "http://localhost:8083",
                keyPrefix,
                Path.of("unused-index"),
                "image_embedder",
                "text_embedder",
                embedBatchSize,
                DataSize.ofMegabytes(1),
                40_000_000,
                64,
                100,
                Duration.ofSeconds(1),
                Duration.ofMillis(100),
                jobLease,
                Duration.ofMinutes(5),
                0.995,
                100,
                null);
    }
}
