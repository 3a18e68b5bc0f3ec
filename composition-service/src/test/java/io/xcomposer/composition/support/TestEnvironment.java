package io.xcomposer.composition.support;

import java.nio.file.Path;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.xcomposer.inference.client.TritonClient;
import io.xcomposer.inference.client.TritonClientOptions;
import io.xcomposer.inference.server.EmbeddedInferenceServer;
import io.xcomposer.testsupport.RedisServerProcess;

/**
 * The real processes the integration tests share, started once per JVM: redis-server, the CPU inference server on
 * model-repository/tiny, and the gallery stand-in for retrieval-service.
 */
public final class TestEnvironment {

	private static TestEnvironment shared;

	private final RedisServerProcess redis;

	private final EmbeddedInferenceServer inference;

	private final GalleryDouble gallery;

	private TestEnvironment() {
		Path repository = Path.of(System.getProperty("model.repository", "../model-repository/tiny"));
		this.redis = RedisServerProcess.shared();
		this.inference = EmbeddedInferenceServer.start(repository);
		TritonClient client = TritonClient.connect(TritonClientOptions.of("127.0.0.1", this.inference.port()),
				new SimpleMeterRegistry());
		this.gallery = GalleryDouble.start(repository.resolve("eval/gallery.jsonl"), client);
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

	public GalleryDouble gallery() {
		return this.gallery;
	}

}
