package io.xcomposer.retrieval.catalog;

import io.xcomposer.common.images.GalleryImages;
import io.xcomposer.common.images.StoredImage;
import io.xcomposer.retrieval.config.RetrievalProperties;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.springframework.data.domain.Range;
import org.springframework.data.redis.connection.Limit;
import org.springframework.data.redis.connection.ReactiveRedisConnectionFactory;
import org.springframework.data.redis.core.ReactiveHashOperations;
import org.springframework.data.redis.core.ReactiveRedisTemplate;
import org.springframework.data.redis.core.script.RedisScript;
import org.springframework.data.redis.serializer.RedisSerializationContext;
import org.springframework.data.redis.serializer.RedisSerializer;
import org.springframework.stereotype.Component;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import tools.jackson.core.type.TypeReference;
import tools.jackson.databind.json.JsonMapper;

/**
 * The gallery catalog in Redis, the source of truth from which the vector index can always be rebuilt.
 * <p>
 * Keys (all under one hash tag, so the Lua scripts work on Redis Cluster):
 * <ul>
 * <li>{@code P:img:<id>} hash: bytes, metadata, vector (float32 LE), seq (generation that created it);</li>
 * <li>{@code P:images} sorted set: live ids scored by creating generation (enumeration for rebuilds);</li>
 * <li>{@code P:changes} sorted set: every id ever added or deleted, scored by the generation of its last change.
 * This is the change log the index tails; one member per id, so it grows with the gallery, not with traffic;</li>
 * <li>{@code P:generation} counter, {@code P:epoch} random id of this catalog's lifetime.</li>
 * </ul>
 * Writes are Lua scripts, so "exists? → write + bump generation + log" is atomic: the same bytes ingested
 * concurrently produce exactly one record.
 */
@Component
public class GalleryCatalog implements GalleryImages {

    private static final RedisScript<Long> INSERT = RedisScript.of("""
            if redis.call('EXISTS', KEYS[1]) == 1 then return 0 end
            local generation = redis.call('INCR', KEYS[2])
            redis.call('HSET', KEYS[1], 'seq', generation, unpack(ARGV, 2))
            redis.call('ZADD', KEYS[3], generation, ARGV[1])
            redis.call('ZADD', KEYS[4], generation, ARGV[1])
            return generation
            """, Long.class);

    private static final RedisScript<Long> DELETE = RedisScript.of("""
            if redis.call('EXISTS', KEYS[1]) == 0 then return 0 end
            redis.call('DEL', KEYS[1])
            local generation = redis.call('INCR', KEYS[2])
            redis.call('ZADD', KEYS[3], generation, ARGV[1])
            redis.call('ZREM', KEYS[4], ARGV[1])
            return generation
            """, Long.class);

    private static final List<String> RECORD_FIELDS =
            List.of("sha256", "caption", "tags", "metadata", "content_type", "size", "created", "seq");

    private static final TypeReference<List<String>> STRING_LIST = new TypeReference<>() {};

    private static final TypeReference<Map<String, Object>> JSON_OBJECT = new TypeReference<>() {};

    private final ReactiveRedisTemplate<String, byte[]> redis;

    private final ReactiveHashOperations<String, String, byte[]> hashes;

    private final JsonMapper json;

    private final String prefix;

    public GalleryCatalog(ReactiveRedisConnectionFactory connections, JsonMapper json, RetrievalProperties properties) {
        this.redis = redisTemplate(connections);
        this.hashes = this.redis.opsForHash();
        this.json = json;
        this.prefix = properties.keyPrefix();
    }

    /** String keys, raw byte values: the catalog stores image bytes and float32 vectors next to UTF-8 fields. */
    private static ReactiveRedisTemplate<String, byte[]> redisTemplate(ReactiveRedisConnectionFactory connections) {
        RedisSerializationContext<String, byte[]> context =
                RedisSerializationContext.<String, byte[]>newSerializationContext(RedisSerializer.string())
                        .value(RedisSerializer.byteArray())
                        .hashKey(RedisSerializer.string())
                        .hashValue(RedisSerializer.byteArray())
                        .build();
        return new ReactiveRedisTemplate<>(connections, context);
    }

    /** The catalog's epoch (created on first use) and current generation. */
    public Mono<CatalogState> state() {
        Mono<byte[]> epoch = this.redis
                .opsForValue()
                .setIfAbsent(key("epoch"), utf8(UUID.randomUUID().toString()))
                .then(this.redis.opsForValue().get(key("epoch")));
        Mono<Long> generation = this.redis
                .opsForValue()
                .get(key("generation"))
                .map(bytes -> Long.parseLong(text(bytes)))
                .defaultIfEmpty(0L);
        return Mono.zip(epoch, generation, (e, g) -> new CatalogState(text(e), g));
    }

    /** Writes the image unless its id exists; the new generation, or 0 when the bytes were already stored. */
    public Mono<Long> insert(NewImage image) {
        String id = image.id();
        List<byte[]> args = List.of(
                utf8(id),
                utf8("sha256"),
                utf8(image.sha256()),
                utf8("caption"),
                utf8(image.caption()),
                utf8("tags"),
                this.json.writeValueAsBytes(image.tags()),
                utf8("metadata"),
                this.json.writeValueAsBytes(image.metadata()),
                utf8("content_type"),
                utf8(image.contentType()),
                utf8("size"),
                utf8(String.valueOf(image.bytes().length)),
                utf8("created"),
                utf8(String.valueOf(System.currentTimeMillis())),
                utf8("vector"),
                Vectors.encode(image.vector()),
                utf8("bytes"),
                image.bytes());
        return this.redis.execute(INSERT, imageKeys(id), args).next();
    }

    /** Deletes the image; the new generation, or 0 when there was no such image. */
    public Mono<Long> delete(String id) {
        return this.redis.execute(DELETE, imageKeys(id), List.of(utf8(id))).next();
    }

    public Mono<Boolean> exists(String id) {
        return this.redis.hasKey(imageKey(id));
    }

    /** The record, with its vector when asked; empty when there is no such image. */
    public Mono<ImageRecord> find(String id, boolean withVector) {
        List<String> fields = new ArrayList<>(RECORD_FIELDS);
        if (withVector) {
            fields.add("vector");
        }
        return this.hashes
                .multiGet(imageKey(id), fields)
                .filter(values -> values.get(0) != null)
                .map(values -> toRecord(id, values, withVector));
    }

    @Override
    public Mono<StoredImage> find(String id) {
        return content(id).map(content -> new StoredImage(id, content.sha256(), content.bytes()));
    }

    public Mono<StoredContent> content(String id) {
        return this.hashes
                .multiGet(imageKey(id), List.of("bytes", "content_type", "sha256"))
                .filter(values -> values.get(0) != null)
                .map(values -> new StoredContent(values.get(0), text(values.get(1)), text(values.get(2))));
    }

    /** What the index needs of one image; empty when it is (no longer) in the catalog. */
    public Mono<IndexEntry> indexEntry(String id) {
        return this.hashes
                .multiGet(imageKey(id), List.of("vector", "tags"))
                .filter(values -> values.get(0) != null)
                .map(values -> new IndexEntry(
                        id, Vectors.decode(values.get(0)), this.json.readValue(values.get(1), STRING_LIST)));
    }

    /** Ids changed after {@code generation}, oldest change first, at most {@code limit}. */
    public Flux<CatalogChange> changesAfter(long generation, int limit) {
        Range<Double> after = Range.of(Range.Bound.exclusive((double) generation), Range.Bound.unbounded());
        return this.redis
                .opsForZSet()
                .rangeByScoreWithScores(key("changes"), after, Limit.limit().count(limit))
                .map(tuple -> new CatalogChange(
                        text(tuple.getValue()), tuple.getScore().longValue()));
    }

    /** Live ids created after {@code generation}, in creation order, at most {@code limit}: pages for rebuilds. */
    public Flux<CatalogChange> liveAfter(long generation, int limit) {
        Range<Double> after = Range.of(Range.Bound.exclusive((double) generation), Range.Bound.unbounded());
        return this.redis
                .opsForZSet()
                .rangeByScoreWithScores(key("images"), after, Limit.limit().count(limit))
                .map(tuple -> new CatalogChange(
                        text(tuple.getValue()), tuple.getScore().longValue()));
    }

    public Mono<Long> count() {
        return this.redis.opsForZSet().size(key("images"));
    }

    public String key(String suffix) {
        return this.prefix + ":" + suffix;
    }

    private String imageKey(String id) {
        return key("img:" + id);
    }

    private List<String> imageKeys(String id) {
        return List.of(imageKey(id), key("generation"), key("changes"), key("images"));
    }

    private ImageRecord toRecord(String id, List<byte[]> values, boolean withVector) {
        return new ImageRecord(
                id,
                text(values.get(0)),
                text(values.get(1)),
                this.json.readValue(values.get(2), STRING_LIST),
                this.json.readValue(values.get(3), JSON_OBJECT),
                text(values.get(4)),
                Long.parseLong(text(values.get(5))),
                Instant.ofEpochMilli(Long.parseLong(text(values.get(6)))),
                Long.parseLong(text(values.get(7))),
                withVector ? Vectors.decode(values.get(8)) : null);
    }

    static byte[] utf8(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }

    static String text(byte[] bytes) {
        return new String(bytes, StandardCharsets.UTF_8);
    }
}
