package io.xcomposer.composition.article;

import static org.assertj.core.api.Assertions.assertThat;

import io.xcomposer.common.images.ImageStore;
import io.xcomposer.composition.support.IntegrationTest;
import io.xcomposer.composition.support.TestEnvironment;
import io.xcomposer.retrieval.config.RetrievalProperties;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.data.redis.core.ReactiveStringRedisTemplate;
import org.springframework.data.redis.core.ScanOptions;

/** composition-service and retrieval-service share one Redis: their keys live under disjoint prefixes. */
class SharedRedisIntegrationTests extends IntegrationTest {

    private static final String COMPOSITION = "composition:";

    @Autowired
    private ReactiveStringRedisTemplate redis;

    @Test
    void everyKeyBelongsToExactlyOneService() {
        String gallery = TestEnvironment.get()
                        .retrieval()
                        .getBean(RetrievalProperties.class)
                        .keyPrefix() + ":";
        assertThat(gallery).isEqualTo("{gallery}:");
        assertThat(gallery.startsWith(COMPOSITION) || COMPOSITION.startsWith(gallery))
                .isFalse();
        awaitFinished(create(Map.of("title", "A Tour of Red Circles", "images", 0)));

        List<String> keys = this.redis
                .scan(ScanOptions.scanOptions().count(1000).build())
                .collectList()
                .block(Duration.ofSeconds(30));

        // Uploaded images (other tests' user_images) live in the shared image store, the third owner.
        List<String> owners = List.of(gallery, COMPOSITION, ImageStore.KEY_PREFIX);
        assertThat(keys)
                .anyMatch(key -> key.startsWith(gallery))
                .anyMatch(key -> key.startsWith(COMPOSITION))
                .allMatch(key -> owners.stream().filter(key::startsWith).count() == 1);
    }
}
