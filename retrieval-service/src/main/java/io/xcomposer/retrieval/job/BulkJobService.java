package io.xcomposer.retrieval.job;

import io.xcomposer.common.error.ApiException;
import io.xcomposer.retrieval.catalog.GalleryCatalog;
import io.xcomposer.retrieval.config.RetrievalProperties;
import io.xcomposer.retrieval.ingest.Candidate;
import io.xcomposer.retrieval.ingest.Candidates;
import io.xcomposer.retrieval.ingest.IngestRequest;
import io.xcomposer.retrieval.ingest.IngestionService;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadLocalRandom;
import java.util.stream.Collectors;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.SmartLifecycle;
import org.springframework.data.redis.core.ReactiveStringRedisTemplate;
import org.springframework.stereotype.Service;
import reactor.core.Disposable;
import reactor.core.Disposables;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import tools.jackson.databind.json.JsonMapper;

/**
 * Asynchronous bulk ingestion whose whole state lives in Redis, so any instance can resume a job after a crash.
 * <p>
 * Keys: {@code P:job:<id>} hash (status, total), {@code P:job:<id>:items} list (the submitted items, JSON),
 * {@code P:job:<id>:results} hash (index → outcome), {@code P:jobs:active} set, {@code P:job:<id>:lease} (owner,
 * with TTL). A runner polls the active set and takes a job whose lease is free; it renews the lease after every
 * chunk. An item counts as done only once its outcome is recorded, which happens after the image is stored and
 * searchable; an item stored but not yet recorded when the process dies is simply ingested again on resume, and
 * the catalog's content addressing turns that into "already present", so nothing is duplicated.
 */
@Service
public class BulkJobService implements SmartLifecycle {

    private static final Logger logger = LoggerFactory.getLogger(BulkJobService.class);

    private final ReactiveStringRedisTemplate redis;

    private final IngestionService ingestion;

    private final Candidates candidates;

    private final RetrievalProperties properties;

    private final JsonMapper json;

    private final JobResults results;

    private final String prefix;

    private final String owner = UUID.randomUUID().toString();

    private final Map<String, Disposable> running = new ConcurrentHashMap<>();

    private @Nullable Disposable poller;

    public BulkJobService(
            ReactiveStringRedisTemplate redis,
            IngestionService ingestion,
            Candidates candidates,
            GalleryCatalog catalog,
            RetrievalProperties properties,
            JsonMapper json) {
        this.redis = redis;
        this.ingestion = ingestion;
        this.candidates = candidates;
        this.properties = properties;
        this.json = json;
        this.results = new JobResults(json);
        this.prefix = catalog.key("");
    }

    /** Stores the job and starts it; the job id. */
    public Mono<String> submit(List<IngestRequest> items) {
        if (items.isEmpty() || items.size() > this.properties.maxJobItems()) {
            throw ApiException.badRequest(
                    "invalid_job_size", "A job holds 1 to " + this.properties.maxJobItems() + " items.", "items");
        }
        String id = "job_" + HexFormat.of().formatHex(randomBytes());
        List<String> encoded = items.stream().map(this.json::writeValueAsString).toList();
        Map<String, String> header = Map.of(
                "status",
                "running",
                "total",
                String.valueOf(items.size()),
                "created",
                String.valueOf(System.currentTimeMillis()));
        return this.redis
                .opsForList()
                .rightPushAll(key(id, ":items"), encoded)
                .then(this.redis.opsForHash().putAll(key(id, ""), header))
                .then(this.redis.opsForSet().add(this.prefix + "jobs:active", id))
                .doOnSuccess(added -> tryRun(id))
                .thenReturn(id);
    }

    public Mono<JobStatus> status(String id) {
        Mono<Map<Object, Object>> header =
                this.redis.opsForHash().entries(key(id, "")).collectMap(e -> e.getKey(), e -> e.getValue());
        Mono<Map<Object, Object>> results =
                this.redis.opsForHash().entries(key(id, ":results")).collectMap(e -> e.getKey(), e -> e.getValue());
        return Mono.zip(header, results).flatMap(pair -> {
            if (pair.getT1().isEmpty()) {
                return Mono.error(ApiException.notFound("job_not_found", "No job has id '" + id + "'.", "id"));
            }
            return Mono.just(this.results.status(id, pair.getT1(), pair.getT2()));
        });
    }

    @Override
    public void start() {
        Duration period = this.properties.syncInterval();
        this.poller = Flux.interval(Duration.ZERO, period)
                .onBackpressureDrop()
                .concatMap(
                        tick -> this.redis
                                .opsForSet()
                                .members(this.prefix + "jobs:active")
                                .collectList()
                                .onErrorResume(error -> Mono.just(List.of())),
                        1)
                .subscribe(ids -> ids.forEach(this::tryRun));
    }

    /**
     * Abandons in-flight chunks (their items stay pending, nothing half-recorded) and frees the leases, so another
     * instance, or the next start of this one, resumes the jobs at once instead of after the lease TTL.
     */
    @Override
    public void stop() {
        if (this.poller != null) {
            this.poller.dispose();
            this.poller = null;
        }
        Set<String> abandoned = Set.copyOf(this.running.keySet());
        this.running.values().forEach(Disposable::dispose);
        Flux.fromIterable(abandoned)
                .concatMap(id -> this.redis
                        .opsForValue()
                        .get(key(id, ":lease"))
                        .filter(this.owner::equals)
                        .flatMap(mine -> this.redis.delete(key(id, ":lease"))))
                .then()
                .block(Duration.ofSeconds(5));
    }

    @Override
    public boolean isRunning() {
        return this.poller != null;
    }

    /** Starts after the index is ready and stops before it (and before Redis, phase 0, and after the web server). */
    @Override
    public int getPhase() {
        return 2000;
    }

    private void tryRun(String id) {
        if (this.poller == null || this.running.containsKey(id)) {
            return;
        }
        Disposable.Swap slot = Disposables.swap();
        if (this.running.putIfAbsent(id, slot) != null) {
            return;
        }
        slot.update(this.redis
                .opsForValue()
                .setIfAbsent(key(id, ":lease"), this.owner, this.properties.jobLease())
                .flatMap(acquired -> acquired ? process(id) : Mono.empty())
                .doFinally(signal -> this.running.remove(id, slot))
                .subscribe(
                        null,
                        error -> logger.warn("Job {} paused: {}; it resumes on a later poll", id, error.toString())));
    }

    /** Processes every item without a recorded outcome, chunk by chunk, then completes the job. */
    private Mono<Void> process(String id) {
        Mono<List<String>> items =
                this.redis.opsForList().range(key(id, ":items"), 0, -1).collectList();
        Mono<Set<Object>> recorded =
                this.redis.opsForHash().keys(key(id, ":results")).collect(Collectors.toSet());
        return Mono.zip(items, recorded).flatMap(state -> {
            List<Integer> pending = new ArrayList<>();
            for (int i = 0; i < state.getT1().size(); i++) {
                if (!state.getT2().contains(String.valueOf(i))) {
                    pending.add(i);
                }
            }
            return Flux.fromIterable(chunks(pending))
                    .concatMap(chunk -> processChunk(id, state.getT1(), chunk))
                    .then(complete(id));
        });
    }

    private Mono<Void> processChunk(String id, List<String> items, List<Integer> chunk) {
        List<Mono<Candidate>> candidates = new ArrayList<>();
        for (int index : chunk) {
            candidates.add(Mono.defer(() -> this.candidates.candidate(
                    this.json.readValue(items.get(index), IngestRequest.class), "items[" + index + "].")));
        }
        return this.ingestion
                .ingestAll(candidates)
                .flatMap(outcomes -> {
                    Map<String, String> results = new HashMap<>();
                    for (int i = 0; i < chunk.size(); i++) {
                        results.put(String.valueOf(chunk.get(i)), this.results.encode(outcomes.get(i)));
                    }
                    return this.redis
                            .opsForHash()
                            .putAll(key(id, ":results"), results)
                            .then(this.redis.expire(key(id, ":lease"), this.properties.jobLease()));
                })
                .then();
    }

    private Mono<Void> complete(String id) {
        return this.redis.opsForHash().values(key(id, ":results")).collectList().flatMap(values -> {
            boolean anyFailed =
                    values.stream().anyMatch(value -> value.toString().contains("\"failed\""));
            Duration ttl = this.properties.jobTtl();
            return this.redis
                    .opsForHash()
                    .put(key(id, ""), "status", anyFailed ? "completed_with_errors" : "completed")
                    .then(this.redis.opsForSet().remove(this.prefix + "jobs:active", id))
                    .then(Flux.just(key(id, ""), key(id, ":items"), key(id, ":results"))
                            .concatMap(key -> this.redis.expire(key, ttl))
                            .then())
                    .then(this.redis.delete(key(id, ":lease")))
                    .then();
        });
    }

    private List<List<Integer>> chunks(List<Integer> indexes) {
        int size = this.properties.embedBatchSize();
        List<List<Integer>> chunks = new ArrayList<>();
        for (int start = 0; start < indexes.size(); start += size) {
            chunks.add(indexes.subList(start, Math.min(indexes.size(), start + size)));
        }
        return chunks;
    }

    private String key(String id, String suffix) {
        return this.prefix + "job:" + id + suffix;
    }

    private static byte[] randomBytes() {
        byte[] bytes = new byte[12];
        ThreadLocalRandom.current().nextBytes(bytes);
        return bytes;
    }
}
