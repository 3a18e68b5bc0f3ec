package io.xcomposer.retrieval.index;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;
import static org.awaitility.Awaitility.await;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.xcomposer.common.error.ApiException;
import io.xcomposer.retrieval.support.RedisCatalog;
import io.xcomposer.testsupport.RedisServerProcess;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.http.HttpStatus;
import reactor.test.StepVerifier;

/** The index thread's life: recovery retried until Redis answers, writers waiting for their change, commit at stop. */
class IndexSynchronizerTests {

    @TempDir
    Path indexPath;

    @Test
    void refusesSearchesUntilRedisAppears_thenRecoversOnItsOwn() throws Exception {
        try (RedisServerProcess late = RedisServerProcess.notStarted();
                RedisCatalog redis = RedisCatalog.open(late);
                LuceneVectorIndex index = LuceneVectorIndex.open(this.indexPath, 100)) {
            IndexSynchronizer synchronizer =
                    new IndexSynchronizer(index, redis.catalog(), redis.properties(), new SimpleMeterRegistry());

            synchronizer.start();
            try {
                assertThat(synchronizer.isRecovered()).isFalse();
                ApiException refused = catchThrowableOfType(ApiException.class, synchronizer::requireRecovered);
                assertThat(refused.status()).isEqualTo(HttpStatus.SERVICE_UNAVAILABLE);
                assertThat(refused.retryAfter()).isNotNull();
                assertThat(synchronizer.recoveryState()).startsWith("retrying after");

                late.restart();

                await().atMost(Duration.ofSeconds(20)).until(synchronizer::isRecovered);
                synchronizer.requireRecovered();
                assertThat(synchronizer.recoveryState()).isEqualTo("recovered");
            } finally {
                synchronizer.stop();
            }
        }
    }

    @Test
    void awaitAppliedCompletesOnceTheWriteIsSearchable_andStopCommits() throws Exception {
        try (RedisCatalog redis = RedisCatalog.open();
                LuceneVectorIndex index = LuceneVectorIndex.open(this.indexPath, 100)) {
            IndexSynchronizer synchronizer =
                    new IndexSynchronizer(index, redis.catalog(), redis.properties(), new SimpleMeterRegistry());
            synchronizer.start();
            assertThat(synchronizer.isRecovered())
                    .as("Redis was there: ready at once")
                    .isTrue();

            long generation = redis.insert("a", new float[] {1, 0});
            StepVerifier.create(synchronizer.awaitApplied(generation))
                    .expectComplete()
                    .verify(Duration.ofSeconds(5));

            assertThat(index.search(new float[] {1, 0}, 1, SearchFilter.NONE))
                    .extracting(IndexHit::id)
                    .containsExactly(RedisCatalog.idOf("a"));
            assertThat(synchronizer.appliedGeneration()).isGreaterThanOrEqualTo(generation);
            synchronizer.stop();
            assertThat(synchronizer.isRunning()).isFalse();
            assertThat(index.lastCommit().generation()).isEqualTo(generation);
        }
    }
}
