package io.xcomposer.composition.compose;

import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Semaphore;

import io.xcomposer.common.error.ApiException;
import io.xcomposer.composition.article.Composition;
import io.xcomposer.composition.article.CompositionStore;
import io.xcomposer.composition.config.CompositionProperties;
import io.xcomposer.composition.model.ArticleModel;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.DisposableBean;
import org.springframework.stereotype.Component;
import reactor.core.Disposable;

/**
 * Runs compositions on the server, independent of any client connection, at most {@code max-running} at once.
 * A composition beyond that is refused before anything is stored (503 with Retry-After).
 */
@Component
public class CompositionRunner implements DisposableBean {

	private static final Logger log = LoggerFactory.getLogger(CompositionRunner.class);

	private final ArticleModel model;

	private final ArticleSteps steps;

	private final CompositionStore store;

	private final CompositionMetrics metrics;

	private final CompositionProperties properties;

	private final Semaphore permits;

	private final Set<Disposable> running = ConcurrentHashMap.newKeySet();

	CompositionRunner(ArticleModel model, ArticleSteps steps, CompositionStore store, CompositionMetrics metrics,
			CompositionProperties properties) {
		this.model = model;
		this.steps = steps;
		this.store = store;
		this.metrics = metrics;
		this.properties = properties;
		this.permits = new Semaphore(properties.maxRunning());
	}

	/** Takes a running place; throws 503 when all are taken. Pair with {@link #start} or {@link #release}. */
	public void reserve() {
		if (!this.permits.tryAcquire()) {
			throw ApiException.unavailable(this.properties.retryAfter(), "All " + this.properties.maxRunning()
					+ " composition places are busy; retry later.");
		}
	}

	public void release() {
		this.permits.release();
	}

	/** Starts a reserved composition whose initial state is stored; it runs until done, whoever listens. */
	public void start(Composition stored, @Nullable String requestId) {
		this.metrics.started();
		CompositionRun run = new CompositionRun(stored, this.model, this.steps, this.store, this.metrics,
				this.properties.maxTokens().write(), this.properties.excludeFromSearch(), requestId);
		Disposable[] handle = new Disposable[1];
		handle[0] = run.execute().doFinally(signal -> {
			this.permits.release();
			if (handle[0] != null) {
				this.running.remove(handle[0]);
			}
		}).subscribe(done -> log.info("composition {} {}", done.id(), done.status().wire()),
				failure -> log.error("composition {} could not record its failure", stored.id(), failure));
		if (!handle[0].isDisposed()) {
			this.running.add(handle[0]);
		}
	}

	@Override
	public void destroy() {
		this.running.forEach(Disposable::dispose);
	}

}
