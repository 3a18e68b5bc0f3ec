package io.xcomposer.comprehension.chat;

import static java.util.Objects.requireNonNullElse;

import io.xcomposer.common.error.ApiErrors;
import io.xcomposer.common.error.ApiException;
import io.xcomposer.common.error.ErrorResponse;
import io.xcomposer.common.sse.ServerSentEvents;
import io.xcomposer.comprehension.config.ComprehensionProperties;
import io.xcomposer.inference.client.generation.GenerationChunk;
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
 * {@code data: [DONE]} — with {@code : keep-alive} comments while it runs. A failure after the stream started is
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
        return run.chunks()
                .reduce(new Collected("", null), (collected, chunk) -> collected.plus(chunk))
                .map(collected -> new ChatCompletion(
                        run.completionId(),
                        "chat.completion",
                        run.created(),
                        run.model(),
                        List.of(new ChatCompletion.Choice(
                                0,
                                new ChatCompletion.Message("assistant", collected.text()),
                                null,
                                finishReason(collected.last()))),
                        usage(collected.last()),
                        run.conversationId()));
    }

    Flux<ServerSentEvent<String>> stream(ChatRun run, boolean includeUsage) {
        return Flux.defer(() -> {
            AtomicBoolean started = new AtomicBoolean();
            Flux<ServerSentEvent<String>> events = run.chunks()
                    .index()
                    .concatMap(indexed ->
                            Flux.fromIterable(events(run, indexed.getT1() == 0, indexed.getT2(), includeUsage)))
                    .map(ServerSentEvents::data)
                    .concatWith(Mono.just(ServerSentEvents.done()));
            return ServerSentEvents.withKeepAlive(events, this.keepAlive)
                    .doOnNext(sent -> started.set(true))
                    .onErrorResume(error -> started.get()
                            ? ServerSentEvents.errorThenDone(errorBody(error), this.json)
                            : Flux.error(error));
        });
    }

    private List<String> events(ChatRun run, boolean first, GenerationChunk chunk, boolean includeUsage) {
        List<String> events = new ArrayList<>(4);
        if (first) {
            events.add(chunk(run, new ChatCompletionChunk.Delta("assistant", ""), null, null));
        }
        if (!chunk.textDelta().isEmpty()) {
            events.add(chunk(run, new ChatCompletionChunk.Delta(null, chunk.textDelta()), null, null));
        }
        if (chunk.last()) {
            events.add(chunk(run, new ChatCompletionChunk.Delta(null, null), finishReason(chunk), null));
            if (includeUsage) {
                events.add(this.json.writeValueAsString(new ChatCompletionChunk(
                        run.completionId(),
                        "chat.completion.chunk",
                        run.created(),
                        run.model(),
                        List.of(),
                        usage(chunk),
                        run.conversationId())));
            }
        }
        return events;
    }

    private String chunk(
            ChatRun run,
            ChatCompletionChunk.Delta delta,
            @Nullable String finishReason,
            ChatCompletion.@Nullable Usage usage) {
        return this.json.writeValueAsString(new ChatCompletionChunk(
                run.completionId(),
                "chat.completion.chunk",
                run.created(),
                run.model(),
                List.of(new ChatCompletionChunk.Choice(0, delta, null, finishReason)),
                usage,
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

    private static ChatCompletion.Usage usage(@Nullable GenerationChunk last) {
        if (last == null) {
            return ChatCompletion.Usage.of(0, 0);
        }
        return ChatCompletion.Usage.of(
                requireNonNullElse(last.promptTokens(), 0), requireNonNullElse(last.completionTokens(), 0));
    }

    /** The text so far and the final chunk once seen. */
    private record Collected(String text, @Nullable GenerationChunk last) {

        Collected plus(GenerationChunk chunk) {
            return new Collected(this.text + chunk.textDelta(), chunk.last() ? chunk : this.last);
        }
    }
}
