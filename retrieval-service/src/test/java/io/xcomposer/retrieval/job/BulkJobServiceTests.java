package io.xcomposer.retrieval.job;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;
import static org.awaitility.Awaitility.await;

import io.xcomposer.common.error.ApiException;
import io.xcomposer.common.fetch.FetchProperties;
import io.xcomposer.common.fetch.SafeImageFetcher;
import io.xcomposer.common.images.ImageReferences;
import io.xcomposer.common.images.ImageStore;
import io.xcomposer.common.images.ImageStoreProperties;
import io.xcomposer.common.images.ImageValidator;
import io.xcomposer.retrieval.catalog.ImageRecord;
import io.xcomposer.retrieval.catalog.NewImage;
import io.xcomposer.retrieval.ingest.Candidate;
import io.xcomposer.retrieval.ingest.Candidates;
import io.xcomposer.retrieval.ingest.IngestOutcome;
import io.xcomposer.retrieval.ingest.IngestRequest;
import io.xcomposer.retrieval.ingest.IngestionService;
import io.xcomposer.retrieval.support.RedisCatalog;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.apache.commons.codec.digest.DigestUtils;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.springframework.data.redis.core.ReactiveStringRedisTemplate;
import org.springframework.http.HttpStatus;
import org.springframework.util.unit.DataSize;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * Bulk jobs against a real Redis: chunking, outcomes, resuming after a crash, leases. The ingestion itself (embed,
 * store, index) is replaced by a recorder, since what is tested here is the job's bookkeeping around it; item
 * decoding goes through the real {@link Candidates}.
 */
class BulkJobServiceTests {

    private static final Duration WAIT = Duration.ofSeconds(10);

    private final RedisCatalog redis = RedisCatalog.open(2, Duration.ofSeconds(1));

    private final ReactiveStringRedisTemplate strings = this.redis.strings();

    private final RecordingIngestion ingestion = new RecordingIngestion();

    private final BulkJobService jobs = new BulkJobService(
            this.strings,
            this.ingestion,
            new Candidates(references()),
            this.redis.catalog(),
            this.redis.properties(),
            this.redis.json());

    @AfterEach
    void stop() {
        if (this.jobs.isRunning()) {
            this.jobs.stop();
        }
        this.redis.close();
    }

    @Test
    void runsEveryItemInChunksAndCompletes() {
        this.jobs.start();

        String id = this.jobs.submit(items("a", "b", "c", "d", "e")).block(WAIT);
        JobStatus status = awaitStatus(id, "completed");

        assertThat(this.ingestion.chunkSizes).containsExactly(2, 2, 1);
        assertThat(status.done()).isEqualTo(5);
        assertThat(status.pendingItems()).isEmpty();
        assertThat(status.ids())
                .extracting(JobStatus.DoneItem::id)
                .containsExactly(idOf("a"), idOf("b"), idOf("c"), idOf("d"), idOf("e"));
        assertThat(this.strings
                        .opsForSet()
                        .isMember(this.redis.catalog().key("jobs:active"), id)
                        .block(WAIT))
                .isFalse();
        assertThat(this.strings.hasKey(jobKey(id, ":lease")).block(WAIT)).isFalse();
        assertThat(this.strings.getExpire(jobKey(id, "")).block(WAIT))
                .as("finished jobs expire after the job TTL")
                .isPositive()
                .isLessThanOrEqualTo(this.redis.properties().jobTtl());
    }

    @Test
    void aFailedItemIsReportedWithItsFieldAndTheRestCompletes() {
        this.jobs.start();
        List<IngestRequest> items = new ArrayList<>(items("a"));
        items.add(new IngestRequest("%%% not base64", null, "broken", null, null));
        items.addAll(items("c"));

        String id = this.jobs.submit(items).block(WAIT);
        JobStatus status = awaitStatus(id, "completed_with_errors");

        assertThat(status.done()).isEqualTo(2);
        assertThat(status.failed()).isEqualTo(1);
        assertThat(status.errors()).singleElement().satisfies(error -> {
            assertThat(error.index()).isEqualTo(1);
            assertThat(error.error().code()).isEqualTo("invalid_base64");
            assertThat(error.error().param()).isEqualTo("items[1].image_base64");
        });
    }

    @Test
    void resumesAfterACrashWithOnlyTheItemsWithoutARecordedOutcome() {
        // Submitted by an instance that died after recording item 0: the job is active, item 0 has its outcome.
        String id = this.jobs.submit(items("a", "b", "c")).block(WAIT);
        this.strings
                .opsForHash()
                .put(jobKey(id, ":results"), "0", "{\"status\":\"created\",\"id\":\"" + idOf("a") + "\"}")
                .block(WAIT);
        assertThat(this.ingestion.ingested).as("nothing runs before start").isEmpty();

        this.jobs.start();
        JobStatus status = awaitStatus(id, "completed");

        assertThat(this.ingestion.ingested).containsExactly(idOf("b"), idOf("c"));
        assertThat(status.done()).isEqualTo(3);
    }

    @Test
    void aJobLeasedByAnotherInstanceWaitsUntilTheLeaseLapses() {
        String id = this.jobs.submit(items("a")).block(WAIT);
        this.strings
                .opsForValue()
                .set(jobKey(id, ":lease"), "another-instance", Duration.ofMillis(1500))
                .block(WAIT);

        this.jobs.start();

        await().during(Duration.ofMillis(800))
                .atMost(Duration.ofSeconds(1))
                .until(() -> this.ingestion.ingested.isEmpty());
        assertThat(awaitStatus(id, "completed").done()).isEqualTo(1);
    }

    @Test
    void stopAbandonsTheChunkAndFreesTheLeaseForAnotherInstance() {
        this.ingestion.hold = true;
        this.jobs.start();
        String id = this.jobs.submit(items("a", "b")).block(WAIT);
        await().atMost(WAIT)
                .until(() -> this.strings.hasKey(jobKey(id, ":lease")).block(WAIT));

        this.jobs.stop();

        assertThat(this.strings.hasKey(jobKey(id, ":lease")).block(WAIT)).isFalse();
        JobStatus status = this.jobs.status(id).block(WAIT);
        assertThat(status.status()).isEqualTo("running");
        assertThat(status.pendingItems()).containsExactly(0, 1);
    }

    @Test
    void refusesEmptyAndOversizedJobsAndUnknownIds() {
        ApiException empty = catchThrowableOfType(ApiException.class, () -> this.jobs.submit(List.of()));
        List<IngestRequest> tooMany = new ArrayList<>();
        for (int i = 0; i <= this.redis.properties().maxJobItems(); i++) {
            tooMany.add(item("x" + i));
        }
        ApiException oversized = catchThrowableOfType(ApiException.class, () -> this.jobs.submit(tooMany));
        ApiException unknown = catchThrowableOfType(
                ApiException.class, () -> this.jobs.status("job_nope").block(WAIT));

        assertThat(empty.code()).isEqualTo("invalid_job_size");
        assertThat(oversized.code()).isEqualTo("invalid_job_size");
        assertThat(unknown.status()).isEqualTo(HttpStatus.NOT_FOUND);
        assertThat(unknown.code()).isEqualTo("job_not_found");
    }

    private JobStatus awaitStatus(String id, String expected) {
        return await().atMost(WAIT)
                .until(
                        () -> this.jobs.status(id).block(WAIT),
                        status -> status.status().equals(expected));
    }

    private String jobKey(String id, String suffix) {
        return this.redis.catalog().key("job:" + id + suffix);
    }

    private ImageReferences references() {
        ImageStoreProperties uploads = new ImageStoreProperties(Duration.ofMinutes(1), DataSize.ofMegabytes(1), 1000);
        ImageStore store =
                new ImageStore(this.redis.connections(), uploads, new ImageValidator(uploads.limits()), null);
        return new ImageReferences(
                store, new SafeImageFetcher(FetchProperties.defaults()), this.redis.catalog(), 1 << 20);
    }

    private static List<IngestRequest> items(String... names) {
        return List.of(names).stream().map(BulkJobServiceTests::item).toList();
    }

    private static IngestRequest item(String name) {
        String base64 = Base64.getEncoder().encodeToString(name.getBytes(StandardCharsets.UTF_8));
        return new IngestRequest(base64, null, name, null, null);
    }

    private static String idOf(String name) {
        return NewImage.idFor(DigestUtils.sha256Hex(name.getBytes(StandardCharsets.UTF_8)));
    }

    /** Records what it is given and reports each decodable item stored under its content id. */
    private static final class RecordingIngestion extends IngestionService {

        final List<Integer> chunkSizes = new CopyOnWriteArrayList<>();

        final List<String> ingested = new CopyOnWriteArrayList<>();

        volatile boolean hold;

        RecordingIngestion() {
            super(null, null, null, null);
        }

        @Override
        public Mono<List<IngestOutcome>> ingestAll(List<Mono<Candidate>> items) {
            if (this.hold) {
                return Mono.never();
            }
            this.chunkSizes.add(items.size());
            return Flux.fromIterable(items)
                    .concatMap(item -> item.map(this::stored)
                            .onErrorResume(
                                    ApiException.class, error -> Mono.just(new IngestOutcome(null, false, error))))
                    .collectList();
        }

        private IngestOutcome stored(Candidate candidate) {
            String sha256 = DigestUtils.sha256Hex(candidate.bytes());
            String id = NewImage.idFor(sha256);
            this.ingested.add(id);
            ImageRecord record = new ImageRecord(
                    id,
                    sha256,
                    candidate.attributes().caption(),
                    List.of(),
                    Map.of(),
                    "image/png",
                    candidate.bytes().length,
                    Instant.now(),
                    1,
                    null);
            return new IngestOutcome(record, true, null);
        }
    }
}
