package io.xcomposer.composition.support;

import io.xcomposer.inference.server.EmbeddedInferenceServer;
import io.xcomposer.testsupport.RedisServerProcess;
import java.nio.file.Path;
import org.springframework.context.ConfigurableApplicationContext;

/**
 * The real processes the integration tests share, started once per JVM: redis-server, the CPU inference server on
 * model-repository/tiny, and retrieval-service in-process (seeded with the tiny gallery once), reached through a
 * loopback proxy that can fail one search. Both services use the one Redis, under disjoint key prefixes.
 */
public final class TestEnvironment {

    private static TestEnvironment shared;

    private final RedisServerProcess redis;

    private final EmbeddedInferenceServer inference;

    private final ConfigurableApplicationContext retrieval;

    private final FailingSearchProxy retrievalProxy;

    private final GalleryTruth gallery;

    private TestEnvironment() {
        Path repository = Path.of(System.getProperty("model.repository", "../model-repository/tiny"));
        Path gallery = repository.resolve("eval/gallery.jsonl");
        this.redis = RedisServerProcess.shared();
        this.inference = EmbeddedInferenceServer.start(repository);
        this.retrieval = InProcessRetrieval.start(this.redis, this.inference.port(), gallery);
        this.retrievalProxy = new FailingSearchProxy(InProcessRetrieval.url(this.retrieval));
        this.gallery = GalleryTruth.load(gallery);
    }

    public static synchronized TestEnvironment get() {
        if (shared == null) {
            shared = new TestEnvironment();
        }
        return shared;
    }

    public RedisServerProcess redis() {
        return this.redis;
    }

    public EmbeddedInferenceServer inference() {
        return this.inference;
    }

    public ConfigurableApplicationContext retrieval() {
        return this.retrieval;
    }

    /** What composition-service calls retrieval-service through. */
    public FailingSearchProxy retrievalProxy() {
        return this.retrievalProxy;
    }

    public GalleryTruth gallery() {
        return this.gallery;
    }
}
