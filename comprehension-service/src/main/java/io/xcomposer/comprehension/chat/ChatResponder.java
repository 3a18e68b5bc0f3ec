package io.xcomposer.comprehension.chat;

import static java.util.Objects.requireNonNullElse;

import io.xcomposer.common.error.ApiErrors;
import io.xcomposer.common.error.ApiException;
import io.xcomposer.common.error.ErrorResponse;
import io.xcomposer.common.sse.ServerSentEvents;
import io.xcomposer.comprehension.config.ComprehensionProperties;
import io.xcomposer.inference.client.generation.GenerationChunk;
import io.xcomposer.inference.client.generation.TokenLogprob;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.http.codec.ServerSentEvent;
import org.springframework.stereotype.Component;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import tools.jackson.databind.ObjectMapper;

/**
 * Shapes a {@link ChatRun} as OpenAI does: one {@code chat.completion}, or a stream of {@code chat.completion.chunk}
 * events — role first (sent with the first text, so failures before any text still get their HTTP status), one
 * chunk per text delta, a final chunk with {@code finish_reason}, the usage chunk when asked, then
 * {@code data: [DONE]} — with {@code : keep-alive} comments while it runs. With {@code n} > 1 every choice streams
 * under its own {@code index}; with {@code logprobs} each text chunk carries its tokens' {@link ChoiceLogprobs}. A failure after the stream started is
 * sent as a {@code data: {"error": …}} event; one before it propagates, so the client gets a plain HTTP error.
 */
@Component
class ChatResponder {

    private static final Logger log = LoggerFactory.getLogger(ChatResponder.class);

    private final ObjectMapper json;

    private final Duration keepAlive;

    ChatResponder(ObjectMapper json, ComprehensionProperties properties) {
        this.json = json;
        this.keepAlive = properties.keepAlive();
    }

    Mono<ChatCompletion> completion(ChatRun run) {
        return Flux.fromIterable(run.choices())
                .flatMapSequential(choice -> choice.reduce(Collected.NONE, Collected::plus))
                .collectList()
                .map(collected -> {
                    List<ChatCompletion.Choice> choices = new ArrayList<>();
                    List<GenerationChunk> lasts = new ArrayList<>();
                    for (int index = 0; index < collected.size(); index++) {
                        Collected choice = collected.get(index);
                        choices.add(new ChatCompletion.Choice(
                                index,
                                new ChatCompletion.Message("assistant", choice.text()),
                                run.logprobs() ? ChoiceLogprobs.of(choice.logprobs()) : null,
                                finishReason(choice.last())));
                        lasts.add(choice.last());
                    }
                    return new ChatCompletion(
                            run.completionId(),
                            "chat.completion",
                            run.created(),
                            run.model(),
                            choices,
                            usage(lasts),
                            run.conversationId());
                });
    }

    /**
     * The choices' events merged as they come (each chunk names its choice's {@code index}); the usage chunk, when
     * asked, follows the last choice's final chunk and sums their completion tokens.
     */
    Flux<ServerSentEvent<String>> stream(ChatRun run, boolean includeUsage) {
        return Flux.defer(() -> {
            AtomicBoolean started = new AtomicBoolean();
            List<@Nullable GenerationChunk> lasts = new ArrayList<>();
            run.choices().forEach(choice -> lasts.add(null));
            Flux<String> choices = Flux.merge(indexed(run.choices()).stream()
                    .map(choice -> choice.chunks().index().concatMap(chunk -> {
                        if (chunk.getT2().last()) {
                            synchronized (lasts) {
                                lasts.set(choice.index(), chunk.getT2());
                            }
                        }
                        return Flux.fromIterable(events(run, choice.index(), chunk.getT1() == 0, chunk.getT2()));
                    }))
                    .toList());
            Flux<String> usage = includeUsage
                    ? Mono.fromSupplier(() -> usageChunk(run, lasts)).flux()
                    : Flux.empty();
            Flux<ServerSentEvent<String>> events = choices.concatWith(usage)
                    .map(ServerSentEvents::data)
                    .concatWith(Mono.just(ServerSentEvents.done()));
            return ServerSentEvents.withKeepAlive(events, this.keepAlive)
                    .doOnNext(sent -> started.set(true))
                    .onErrorResume(error -> started.get()
                            ? ServerSentEvents.errorThenDone(errorBody(error), this.json)
                            : Flux.error(error));
        });
    }

    private static List<IndexedChoice> indexed(List<Flux<GenerationChunk>> choices) {
        List<IndexedChoice> indexed = new ArrayList<>();
        for (int index = 0; index < choices.size(); index++) {
            indexed.add(new IndexedChoice(index, choices.get(index)));
        }
        return indexed;
    }

    private List<String> events(ChatRun run, int index, boolean first, GenerationChunk chunk) {
        List<String> events = new ArrayList<>(3);
        if (first) {
            events.add(chunk(run, index, new ChatCompletionChunk.Delta("assistant", ""), null, null));
        }
        if (!chunk.textDelta().isEmpty() || !chunk.logprobs().isEmpty()) {
            ChoiceLogprobs logprobs = run.logprobs() ? ChoiceLogprobs.of(chunk.logprobs()) : null;
            events.add(chunk(run, index, new ChatCompletionChunk.Delta(null, chunk.textDelta()), logprobs, null));
        }
        if (chunk.last()) {
            events.add(chunk(run, index, new ChatCompletionChunk.Delta(null, null), null, finishReason(chunk)));
        }
        return events;
    }

    private String usageChunk(ChatRun run, List<@Nullable GenerationChunk> lasts) {
        synchronized (lasts) {
            return this.json.writeValueAsString(new ChatCompletionChunk(
                    run.completionId(),
                    "chat.completion.chunk",
                    run.created(),
                    run.model(),
                    List.of(),
                    usage(lasts),
                    run.conversationId()));
        }
    }

    private String chunk(
            ChatRun run,
            int index,
            ChatCompletionChunk.Delta delta,
            @Nullable ChoiceLogprobs logprobs,
            @Nullable String finishReason) {
        return this.json.writeValueAsString(new ChatCompletionChunk(
                run.completionId(),
                "chat.completion.chunk",
                run.created(),
                run.model(),
                List.of(new ChatCompletionChunk.Choice(index, delta, logprobs, finishReason)),
                null,
                run.conversationId()));
    }

    private ErrorResponse errorBody(Throwable error) {
        ApiException api = ApiErrors.toApiException(error);
        if (ApiErrors.isUnexpected(error)) {
            log.error("chat stream failed unexpectedly", error);
        } else {
            log.debug("chat stream ended with {}: {}", api.code(), error.getMessage());
        }
        return api.toResponse();
    }

    /** OpenAI knows {@code stop} and {@code length}; the server's {@code cancelled} only reaches us on shutdown. */
    private static String finishReason(@Nullable GenerationChunk last) {
        return last != null && "length".equals(last.finishReason()) ? "length" : "stop";
    }

    /** The prompt is counted once (every choice had the same one); completion tokens are summed over the choices. */
    private static ChatCompletion.Usage usage(List<@Nullable GenerationChunk> lasts) {
        int prompt = 0;
        int completion = 0;
        for (GenerationChunk last : lasts) {
            if (last != null) {
                prompt = Math.max(prompt, requireNonNullElse(last.promptTokens(), 0));
                completion += requireNonNullElse(last.completionTokens(), 0);
            }
        }
        return ChatCompletion.Usage.of(prompt, completion);
    }

    private record IndexedChoice(int index, Flux<GenerationChunk> chunks) {}

    /** The text and token log-probabilities so far, and the final chunk once seen. */
    private record Collected(
            String text,
            List<TokenLogprob> logprobs,
            @Nullable GenerationChunk last) {

        static final Collected NONE = new Collected("", List.of(), null);

        Collected plus(GenerationChunk chunk) {
            List<TokenLogprob> logprobs = this.logprobs;
            if (!chunk.logprobs().isEmpty()) {
                logprobs = new ArrayList<>(this.logprobs);
                logprobs.addAll(chunk.logprobs());
            }
            return new Collected(this.text + chunk.textDelta(), logprobs, chunk.last() ? chunk : this.last);
        }
    }
}
