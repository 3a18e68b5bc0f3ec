package io.xcomposer.comprehension.chat;

import static java.util.Objects.requireNonNullElse;

import io.xcomposer.common.error.ApiErrors;
import io.xcomposer.common.sse.ServerSentEvents;
import io.xcomposer.comprehension.config.ComprehensionProperties;
import io.xcomposer.inference.client.generation.GenerationChunk;
import io.xcomposer.inference.client.generation.TokenLogprob;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicIntegerArray;
import org.jspecify.annotations.Nullable;
import org.springframework.http.codec.ServerSentEvent;
import org.springframework.stereotype.Component;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import tools.jackson.databind.ObjectMapper;

/**
 * Shapes completions as OpenAI does: one {@code text_completion} with every choice, or a stream of
 * {@code text_completion} chunks (one per text delta, each naming its choice's {@code index}, the last of a choice
 * with its {@code finish_reason}), the usage chunk when asked, then {@code data: [DONE]}. Errors before the first
 * event keep their HTTP status; later ones become a {@code data: {"error": …}} event, as in chat.
 */
@Component
class CompletionResponder {

    private final ObjectMapper json;

    private final Duration keepAlive;

    private final String model;

    CompletionResponder(ObjectMapper json, ComprehensionProperties properties) {
        this.json = json;
        this.keepAlive = properties.keepAlive();
        this.model = properties.modelName();
    }

    Mono<TextCompletion> completion(CompletionCommand command, List<Flux<GenerationChunk>> choices) {
        String id = newId();
        long created = Instant.now().getEpochSecond();
        return Flux.fromIterable(choices)
                .flatMapSequential(choice -> choice.collectList())
                .collectList()
                .map(all -> {
                    List<TextCompletion.Choice> shaped = new ArrayList<>();
                    Usage usage = new Usage(command.choices(), all.size());
                    for (int index = 0; index < all.size(); index++) {
                        StringBuilder text = new StringBuilder();
                        List<TokenLogprob> logprobs = new ArrayList<>();
                        GenerationChunk last = null;
                        for (GenerationChunk chunk : all.get(index)) {
                            text.append(chunk.textDelta());
                            logprobs.addAll(chunk.logprobs());
                            last = chunk.last() ? chunk : last;
                        }
                        usage.add(index, last);
                        shaped.add(new TextCompletion.Choice(
                                text.toString(),
                                index,
                                command.logprobs() ? TextCompletion.Logprobs.of(logprobs, 0) : null,
                                finishReason(last)));
                    }
                    return new TextCompletion(id, "text_completion", created, this.model, shaped, usage.total());
                });
    }

    Flux<ServerSentEvent<String>> stream(CompletionCommand command, List<Flux<GenerationChunk>> choices) {
        return Flux.defer(() -> {
            String id = newId();
            long created = Instant.now().getEpochSecond();
            Usage usage = new Usage(command.choices(), choices.size());
            AtomicBoolean started = new AtomicBoolean();
            List<Flux<String>> streams = new ArrayList<>();
            for (int index = 0; index < choices.size(); index++) {
                int choice = index;
                int[] offset = {0};
                streams.add(choices.get(index).concatMap(chunk -> {
                    if (chunk.last()) {
                        usage.add(choice, chunk);
                    }
                    List<String> events = new ArrayList<>(2);
                    if (!chunk.textDelta().isEmpty() || !chunk.logprobs().isEmpty()) {
                        TextCompletion.Logprobs logprobs =
                                command.logprobs() ? TextCompletion.Logprobs.of(chunk.logprobs(), offset[0]) : null;
                        offset[0] += chunk.textDelta().length();
                        events.add(chunk(
                                id, created, new TextCompletion.Choice(chunk.textDelta(), choice, logprobs, null)));
                    }
                    if (chunk.last()) {
                        events.add(
                                chunk(id, created, new TextCompletion.Choice("", choice, null, finishReason(chunk))));
                    }
                    return Flux.fromIterable(events);
                }));
            }
            Flux<String> usageChunk = command.includeUsage()
                    ? Mono.fromSupplier(() -> this.json.writeValueAsString(new TextCompletion(
                                    id, "text_completion", created, this.model, List.of(), usage.total())))
                            .flux()
                    : Flux.empty();
            Flux<ServerSentEvent<String>> events = Flux.merge(streams)
                    .concatWith(usageChunk)
                    .map(ServerSentEvents::data)
                    .concatWith(Mono.just(ServerSentEvents.done()));
            return ServerSentEvents.withKeepAlive(events, this.keepAlive)
                    .doOnNext(sent -> started.set(true))
                    .onErrorResume(error -> started.get()
                            ? ServerSentEvents.errorThenDone(
                                    ApiErrors.toApiException(error).toResponse(), this.json)
                            : Flux.error(error));
        });
    }

    private String chunk(String id, long created, TextCompletion.Choice choice) {
        return this.json.writeValueAsString(
                new TextCompletion(id, "text_completion", created, this.model, List.of(choice), null));
    }

    private static String newId() {
        return "cmpl-" + UUID.randomUUID().toString().replace("-", "");
    }

    private static String finishReason(@Nullable GenerationChunk last) {
        return last != null && "length".equals(last.finishReason()) ? "length" : "stop";
    }

    /** Prompt tokens once per prompt (its first sample), completion tokens of every choice; thread-safe. */
    private static final class Usage {

        private final int samplesPerPrompt;

        private final AtomicIntegerArray prompt;

        private final AtomicIntegerArray completion;

        Usage(int samplesPerPrompt, int choices) {
            this.samplesPerPrompt = samplesPerPrompt;
            this.prompt = new AtomicIntegerArray(choices);
            this.completion = new AtomicIntegerArray(choices);
        }

        void add(int index, @Nullable GenerationChunk last) {
            if (last != null) {
                this.prompt.set(index, requireNonNullElse(last.promptTokens(), 0));
                this.completion.set(index, requireNonNullElse(last.completionTokens(), 0));
            }
        }

        ChatCompletion.Usage total() {
            int prompts = 0;
            int completions = 0;
            for (int index = 0; index < this.prompt.length(); index++) {
                prompts += index % this.samplesPerPrompt == 0 ? this.prompt.get(index) : 0;
                completions += this.completion.get(index);
            }
            return ChatCompletion.Usage.of(prompts, completions);
        }
    }
}
