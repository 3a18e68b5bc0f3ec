package io.xcomposer.composition.support;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URL;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Collections;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.xcomposer.retrieval.RetrievalApplication;
import io.xcomposer.testsupport.RedisServerProcess;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.http.client.ReactorResourceFactory;

/**
 * The real retrieval-service (its plain jar, a test dependency), started in this JVM on a free port against the
 * tests' Redis and CPU inference server, seeded with the tiny gallery. Two Boot applications in one JVM would share
 * {@code classpath:application.yml} (composition's comes first), Reactor Netty's global loops, JMX and Micrometer's
 * global registry; each is kept apart. Settings are command-line arguments, which beat its application.yml.
 */
final class InProcessRetrieval {

	private InProcessRetrieval() {
	}

	/** Starts the service and returns once the whole gallery is seeded and searchable. */
	static ConfigurableApplicationContext start(RedisServerProcess redis, int inferencePort, Path gallery) {
		Path index;
		try {
			index = Files.createTempDirectory(Files.createDirectories(Path.of("target")), "retrieval-index");
		}
		catch (IOException ex) {
			throw new UncheckedIOException(ex);
		}
		ConfigurableApplicationContext context = new SpringApplicationBuilder(RetrievalApplication.class,
				OwnNettyResources.class)
			// Not closed at exit: its shutdown would race the test Redis's own shutdown hook and wait on a dead Redis.
			.registerShutdownHook(false)
			.run("--server.port=0", "--spring.config.location=" + ownApplicationYml(),
					"--spring.jmx.enabled=false", "--management.metrics.use-global-registry=false",
					"--spring.data.redis.host=" + redis.host(), "--spring.data.redis.port=" + redis.port(),
					"--xcomposer.inference.port=" + inferencePort, "--xcomposer.retrieval.index-path=" + index,
					"--xcomposer.retrieval.seed-gallery=" + gallery.toAbsolutePath());
		awaitSeeded(context, gallery);
		return context;
	}

	static String url(ConfigurableApplicationContext context) {
		return "http://127.0.0.1:" + context.getEnvironment().getProperty("local.server.port");
	}

	/** The seeder runs before start-up returns; this also waits until the index holds every gallery image. */
	private static void awaitSeeded(ConfigurableApplicationContext context, Path gallery) {
		long expected;
		try (var lines = Files.lines(gallery)) {
			expected = lines.filter(line -> !line.isBlank()).count();
		}
		catch (IOException ex) {
			throw new UncheckedIOException(ex);
		}
		MeterRegistry registry = context.getBean(MeterRegistry.class);
		long deadline = System.nanoTime() + Duration.ofMinutes(2).toNanos();
		double size = 0;
		while (System.nanoTime() < deadline) {
			Gauge gauge = registry.find("retrieval.index.size").gauge();
			size = gauge == null ? 0 : gauge.value();
			if (size >= expected) {
				return;
			}
			try {
				Thread.sleep(100);
			}
			catch (InterruptedException ex) {
				Thread.currentThread().interrupt();
				throw new IllegalStateException(ex);
			}
		}
		throw new IllegalStateException("retrieval-service indexed " + size + " of " + expected + " gallery images");
	}

	/** The {@code application.yml} of retrieval-service's own jar (or classes folder, in a reactor build). */
	private static String ownApplicationYml() {
		String home = RetrievalApplication.class.getProtectionDomain().getCodeSource().getLocation().toString();
		try {
			for (URL candidate : Collections.list(RetrievalApplication.class.getClassLoader()
				.getResources("application.yml"))) {
				String url = candidate.toString();
				if (url.equals("jar:" + home + "!/application.yml") || url.equals(home + "application.yml")) {
					return url;
				}
			}
		}
		catch (IOException ex) {
			throw new UncheckedIOException(ex);
		}
		throw new IllegalStateException("no application.yml next to RetrievalApplication in " + home);
	}

	/** Own Reactor Netty resources: closing either application must not dispose the other's event loops. */
	@Configuration(proxyBeanMethods = false)
	static class OwnNettyResources {

		@Bean
		ReactorResourceFactory reactorResourceFactory() {
			ReactorResourceFactory factory = new ReactorResourceFactory();
			factory.setUseGlobalResources(false);
			return factory;
		}

	}

}
