package io.xcomposer.composition.compose;

import io.xcomposer.common.redis.RedisFailures;
import io.xcomposer.composition.article.Composition;
import io.xcomposer.composition.article.CompositionStore;
import io.xcomposer.composition.article.ImageRef;
import io.xcomposer.composition.article.LeaseLost;
import io.xcomposer.composition.article.Slot;
import io.xcomposer.composition.article.StepError;
import io.xcomposer.composition.article.Usage;
import io.xcomposer.composition.config.CompositionProperties.ExcludeFromSearch;
import io.xcomposer.composition.model.ArticleModel;
import io.xcomposer.inference.client.generation.GenerationChunk;
import java.time.Duration;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.jspecify.annotations.Nullable;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.util.retry.Retry;

/**
 * One composition from title to illustrated article (seed §3): write (streamed), spot, caption each slot in order
 * with the earlier captions as context, then per slot retrieve candidates (one exclude list across the article,
 * see {@link ExcludeFromSearch}) and select one. Every change is saved, then announced as an event. A slot whose
 * caption, retrieval or selection fails reports {@code slot_failed} and the article goes on; only a failed write or
 * spot fails the composition.
 *
 * <p>A run can also start from a stored state (another replica's run whose replica died, see
 * {@link OrphanSweeper}): once the article is written, every step's outcome is in the state, so the run skips what is
 * done and redoes only the step that was under way, whose outcome (state and event, stored in one step) had not been
 * recorded.
 */
final class CompositionRun {

    static final Duration FAILURE_RECORD_FIRST_BACKOFF = Duration.ofMillis(200);

    static final Duration FAILURE_RECORD_MAX_BACKOFF = Duration.ofSeconds(1);

    static final Duration FAILURE_RECORD_PATIENCE = Duration.ofMinutes(15);

    private final ArticleModel model;

    private final ArticleSteps steps;

    private final CompositionMetrics metrics;

    private final int writeMaxTokens;

    private final ExcludeFromSearch excludeFromSearch;

    private final @Nullable String requestId;

    /** Every gallery image offered so far, for {@link ExcludeFromSearch#OFFERED}. */
    private final Set<String> offered = new LinkedHashSet<>();

    private final Journal journal;

    /** @param owner the replica whose lease fences every write of this run */
    CompositionRun(
            Composition start,
            ArticleModel model,
            ArticleSteps steps,
            CompositionStore store,
            String owner,
            CompositionMetrics metrics,
            int writeMaxTokens,
            ExcludeFromSearch excludeFromSearch,
            @Nullable String requestId) {
        this.journal = new Journal(store, start, owner);
        this.model = model;
        this.steps = steps;
        this.metrics = metrics;
        this.writeMaxTokens = writeMaxTokens;
        this.excludeFromSearch = excludeFromSearch;
        this.requestId = requestId;
        start.slots().forEach(slot -> slot.candidates().forEach(image -> this.offered.add(image.id())));
    }

    /** Whether a run can go on from this stored state: the article is written, the rest is recorded step by step. */
    static boolean resumable(Composition state) {
        return state.written();
    }

    Mono<Composition> execute() {
        Composition from = state();
        Mono<List<Integer>> spotted;
        if (from.spotted() != null) {
            spotted = Mono.just(from.spotted());
        } else {
            Mono<Void> written =
                    from.written() ? Mono.empty() : StepFailure.during("write", this.metrics.timed("write", write()));
            spotted = written.then(Mono.defer(() -> StepFailure.during("spot", spot())));
        }
        return spotted.flatMap(positions -> Flux.fromIterable(positions)
                        .concatMap(this::caption)
                        .concatWith(Flux.fromIterable(positions).concatMap(this::illustrate))
                        .then())
                .then(Mono.defer(this::finish))
                // A lost lease is not this composition's failure: whoever holds the lease now records how it ended.
                .onErrorResume(failure -> !(failure instanceof LeaseLost), this::fail);
    }

    private Mono<Void> write() {
        ParagraphCollector collector = new ParagraphCollector(state().maxParagraphs());
        Usage[] cost = {Usage.NONE.plusGeneration(0, 0)};
        Flux<GenerationChunk> article = this.model
                .prompts()
                .flatMapMany(prompts -> this.model.write(
                        prompts.writePrompt(state().title()), this.writeMaxTokens, state().seed(), this.requestId));
        return article.concatMap(chunk -> {
                    if (chunk.last()) {
                        cost[0] =
                                Usage.NONE.plusGeneration(value(chunk.promptTokens()), value(chunk.completionTokens()));
                    }
                    int paragraph = collector.current();
                    List<String> completed = collector.accept(chunk.textDelta());
                    Mono<Long> delta = chunk.textDelta().isEmpty()
                            ? Mono.empty()
                            : this.journal.event(
                                    "text_delta", Map.of("paragraph", paragraph, "text", chunk.textDelta()));
                    return delta.then(paragraphsDone(collector, completed)).thenReturn(chunk);
                })
                .takeUntil(chunk -> collector.full())
                .then(Mono.defer(() ->
                        paragraphsDone(collector, collector.finish().stream().toList())))
                .then(Mono.defer(() -> {
                    if (state().paragraphs().isEmpty()) {
                        return Mono.error(new StepFailure(new StepError(
                                "write", "empty_article", "The model wrote no paragraph for this title.")));
                    }
                    return this.journal.commit(
                            state().withUsage(usage -> usage.plus(cost[0])).withWritten());
                }));
    }

    private Mono<Void> paragraphsDone(ParagraphCollector collector, List<String> completed) {
        if (completed.isEmpty()) {
            return Mono.empty();
        }
        List<String> all = collector.paragraphs();
        int first = all.size() - completed.size();
        return Flux.range(first, completed.size())
                .concatMap(index -> this.journal.commit(
                        state().withParagraphs(all.subList(0, index + 1)),
                        "paragraph_done",
                        Map.of("paragraph", index, "text", all.get(index))))
                .then();
    }

    private Mono<List<Integer>> spot() {
        Composition current = state();
        Integer count = current.imageCount();
        if (count == null && !current.userImages().isEmpty()) {
            count = current.userImages().size();
        }
        if (count != null && count == 0) {
            return this.journal
                    .commit(current.withSpotted(List.of()), "slots_chosen", Map.of("paragraphs", List.of()))
                    .thenReturn(List.of());
        }
        return this.steps
                .spot(current, count, this.requestId)
                .flatMap(spotted -> this.journal
                        .commit(
                                state().withSpotted(spotted.value()).withUsage(usage -> usage.plus(spotted.cost())),
                                "slots_chosen",
                                Map.of("paragraphs", spotted.value()))
                        .thenReturn(spotted.value()));
    }

    private Mono<Void> caption(int position) {
        if (state().slot(position).isPresent()) {
            return Mono.empty();
        }
        return StepFailure.during("caption", this.steps.caption(state(), position, this.requestId))
                .flatMap(caption -> this.journal.commit(
                        state().withSlot(Slot.captioned(position, caption.value()))
                                .withUsage(usage -> usage.plus(caption.cost())),
                        "slot_caption",
                        Map.of("paragraph", position, "caption", caption.value())))
                .onErrorResume(StepFailure.class, failure -> slotFailed(Slot.captioned(position, ""), failure));
    }

    private Mono<Void> illustrate(int position) {
        Slot captioned = state().slot(position).orElseThrow();
        if (captioned.error() != null || captioned.image() != null) {
            return Mono.empty();
        }
        if (!captioned.candidates().isEmpty()) {
            return choose(captioned).onErrorResume(StepFailure.class, failure -> slotFailed(captioned, failure));
        }
        boolean seedExclusion = this.excludeFromSearch == ExcludeFromSearch.OFFERED
                && state().userImages().isEmpty();
        List<String> exclude = seedExclusion ? List.copyOf(this.offered) : state().imagesShownExcept(position);
        return StepFailure.during("retrieval", this.steps.candidates(state(), captioned.caption(), exclude))
                .flatMap(found -> found.isEmpty()
                        ? Mono.error(new StepFailure(new StepError(
                                "retrieval", "no_candidates", "Retrieval found no image for this caption.")))
                        : Mono.just(found))
                .flatMap(found -> {
                    found.forEach(image -> this.offered.add(image.id()));
                    return this.journal.commit(
                            state().withSlot(captioned.withCandidates(found)),
                            "candidates",
                            Map.of("paragraph", position, "candidates", found));
                })
                .then(Mono.defer(() -> choose(state().slot(position).orElseThrow())))
                .onErrorResume(
                        StepFailure.class,
                        failure -> slotFailed(state().slot(position).orElse(captioned), failure));
    }

    private Mono<Void> choose(Slot slot) {
        Mono<Costed<Selection>> selection = state().select()
                ? StepFailure.during("selection", this.steps.select(state(), slot, this.requestId))
                : Mono.just(new Costed<>(new Selection(0, Selection.FIRST), Usage.NONE))
                        .doOnNext(first -> this.metrics.selected(Selection.FIRST));
        return selection.flatMap(chosen -> {
            Slot shown = slot.withChoice(chosen.value().index(), chosen.value().how());
            ImageRef image = shown.image();
            return this.journal.commit(
                    state().withSlot(shown).withUsage(usage -> usage.plus(chosen.cost())),
                    "image_selected",
                    Map.of(
                            "paragraph",
                            slot.paragraph(),
                            "candidate",
                            chosen.value().index(),
                            "selection",
                            chosen.value().how(),
                            "image",
                            image));
        });
    }

    private Mono<Void> slotFailed(Slot slot, StepFailure failure) {
        this.metrics.slotFailed(failure.error().stage());
        return this.journal.commit(
                state().withSlot(slot.withError(failure.error())),
                "slot_failed",
                Map.of("paragraph", slot.paragraph(), "error", failure.error()));
    }

    private Mono<Composition> finish() {
        Composition done = state().completed();
        return this.journal
                .commit(done, "done", Map.of("status", done.status(), "usage", done.usage()))
                .doOnSuccess(ignored -> this.metrics.finished(true))
                .thenReturn(done);
    }

    /**
     * Records the failure. Should Redis itself be what failed, the record is retried until Redis is back (for at
     * most {@link #FAILURE_RECORD_PATIENCE}), so the composition does not stay {@code running} after it returns.
     */
    private Mono<Composition> fail(Throwable failure) {
        StepError error = StepFailure.of("composition", failure).error();
        Composition failed = state().failed(error);
        return Mono.defer(() -> this.journal.commit(failed, "error", Map.of("error", error)))
                .retryWhen(Retry.backoff(Long.MAX_VALUE, FAILURE_RECORD_FIRST_BACKOFF)
                        .maxBackoff(FAILURE_RECORD_MAX_BACKOFF)
                        .filter(RedisFailures::isUnavailable))
                .timeout(FAILURE_RECORD_PATIENCE)
                .doFinally(signal -> this.metrics.finished(false))
                .thenReturn(failed);
    }

    private Composition state() {
        return this.journal.state();
    }

    private static long value(@Nullable Integer tokens) {
        return tokens == null ? 0 : tokens;
    }
}
