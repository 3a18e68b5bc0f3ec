package io.xcomposer.comprehension.chat;

import static java.util.Objects.requireNonNullElse;

import io.micrometer.observation.ObservationRegistry;
import io.xcomposer.common.images.ImageReferences;
import io.xcomposer.common.images.ImageStore;
import io.xcomposer.common.images.StoredImage;
import io.xcomposer.common.tracing.Steps;
import io.xcomposer.comprehension.config.ComprehensionProperties;
import io.xcomposer.comprehension.flow.GenerationLimiter;
import io.xcomposer.comprehension.images.SourcedImage;
import io.xcomposer.comprehension.metrics.ChatMetrics;
import io.xcomposer.comprehension.prompt.PromptPlan;
import io.xcomposer.comprehension.prompt.PromptPlanner;
import io.xcomposer.comprehension.prompt.PromptTurn;
import io.xcomposer.comprehension.prompt.TokenEstimator;
import io.xcomposer.comprehension.session.Conversation;
import io.xcomposer.comprehension.session.ConversationStore;
import io.xcomposer.comprehension.session.ConversationTurn;
import io.xcomposer.comprehension.vision.ImageInput;
import io.xcomposer.comprehension.vision.VisionFeatures;
import io.xcomposer.inference.client.TritonClient;
import io.xcomposer.inference.client.contract.ImageEmbeds;
import io.xcomposer.inference.client.error.ContextLengthExceededException;
import io.xcomposer.inference.client.generation.GenerationChunk;
import io.xcomposer.inference.client.generation.GenerationRequest;
import io.xcomposer.inference.client.generation.SamplingParams;
import io.xcomposer.inference.client.tensor.Tensor;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicLong;
import org.jspecify.annotations.Nullable;
import org.springframework.stereotype.Service;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * One chat turn: load the conversation, resolve the images, fit the prompt into the context, get the image
 * features (cached or encoded), then generate under the {@link GenerationLimiter} and store the turn.
 */
@Service
public class ChatService {

    private static final int IMAGE_CONCURRENCY = 4;

    private static final String FROM_CONVERSATION = "conversation_id";

    private final ConversationStore conversations;

    private final ImageReferences imageReferences;

    private final ImageStore imageStore;

    private final VisionFeatures vision;

    private final PromptPlanner planner;

    private final TokenEstimator estimator;

    private final GenerationLimiter limiter;

    private final TritonClient client;

    private final ChatMetrics metrics;

    private final ComprehensionProperties properties;

    private final ObservationRegistry observations;

    public ChatService(
            ConversationStore conversations,
            ImageReferences imageReferences,
            ImageStore imageStore,
            VisionFeatures vision,
            PromptPlanner planner,
            TokenEstimator estimator,
            GenerationLimiter limiter,
            TritonClient client,
            ChatMetrics metrics,
            ComprehensionProperties properties,
            ObservationRegistry observations) {
        this.conversations = conversations;
        this.imageReferences = imageReferences;
        this.imageStore = imageStore;
        this.vision = vision;
        this.planner = planner;
        this.estimator = estimator;
        this.limiter = limiter;
        this.client = client;
        this.metrics = metrics;
        this.properties = properties;
        this.observations = observations;
    }

    /** Everything up to the generation; fails with the request's 4xx/5xx before any byte is sent. */
    public Mono<ChatRun> start(ChatCommand command, String requestId, long arrivalNanos) {
        Mono<Conversation> conversation = command.conversationId() == null
                ? this.conversations.start(command.system())
                : this.conversations.load(command.conversationId());
        return conversation.flatMap(stored -> sourceImages(command)
                .flatMap(sourced -> prepare(new Request(command, stored, sourced, requestId, arrivalNanos))));
    }

    private Mono<List<SourcedImage>> sourceImages(ChatCommand command) {
        return Flux.fromIterable(command.turns())
                .flatMapIterable(ChatCommand.Turn::images)
                .flatMapSequential(
                        part -> this.imageReferences
                                .resolve(part.url(), part.param())
                                .map(image -> SourcedImage.of(image, part.param())),
                        IMAGE_CONCURRENCY)
                .collectList();
    }

    private Mono<ChatRun> prepare(Request request) {
        List<PromptTurn> turns = promptTurns(request);
        String system = request.command.system() != null ? request.command.system() : request.conversation.system();
        Mono<PromptPlan> planned = Mono.fromCallable(
                () -> this.planner.plan(system, turns, request.command.reservedTokens(), Integer.MAX_VALUE));
        return Steps.observe(planned, "comprehension.prompt.plan", this.observations)
                .flatMap(plan -> features(plan, request.requestId)
                        .flatMap(features -> storeNewImages(request.sourced).thenReturn(features))
                        .map(features -> run(request, system, turns, plan, features)));
    }

    private List<PromptTurn> promptTurns(Request request) {
        List<PromptTurn> turns = new ArrayList<>();
        for (ConversationTurn stored : request.conversation.turns()) {
            turns.add(new PromptTurn(
                    stored.text(),
                    stored.images().stream().map(this::storedImage).toList(),
                    stored.answer()));
        }
        int next = 0;
        for (ChatCommand.Turn turn : request.command.turns()) {
            List<ImageInput> images = new ArrayList<>();
            for (int i = 0; i < turn.images().size(); i++) {
                SourcedImage image = request.sourced.get(next++);
                images.add(new ImageInput(image.sha256(), Mono.just(image.bytes()), image.param()));
            }
            turns.add(new PromptTurn(turn.text(), images, turn.answer()));
        }
        return turns;
    }

    private ImageInput storedImage(String sha256) {
        Mono<byte[]> bytes = this.imageStore
                .get(this.imageStore.idOf(sha256), FROM_CONVERSATION)
                .map(StoredImage::bytes);
        return new ImageInput(sha256, bytes, FROM_CONVERSATION);
    }

    /** Features of every distinct image of the plan, by SHA-256. */
    private Mono<Map<String, Tensor>> features(PromptPlan plan, String requestId) {
        Map<String, ImageInput> distinct = new LinkedHashMap<>();
        plan.images().forEach(image -> distinct.putIfAbsent(image.sha256(), image));
        return Flux.fromIterable(distinct.values())
                .flatMapSequential(
                        image -> this.vision
                                .features(image, requestId)
                                .map(features -> Map.entry(image.sha256(), features)),
                        IMAGE_CONCURRENCY)
                .collectMap(Map.Entry::getKey, Map.Entry::getValue);
    }

    /** Request images go to the image store, so the conversation can re-encode them if their features expire. */
    private Mono<Void> storeNewImages(List<SourcedImage> sourced) {
        return Flux.fromIterable(sourced)
                .filter(image -> !image.stored())
                .distinct(SourcedImage::sha256)
                .concatMap(image -> this.imageStore.put(image.bytes(), image.param()))
                .then();
    }

    private ChatRun run(
            Request request,
            @Nullable String system,
            List<PromptTurn> turns,
            PromptPlan plan,
            Map<String, Tensor> features) {
        List<Flux<GenerationChunk>> choices = new ArrayList<>();
        for (int index = 0; index < request.command.choices(); index++) {
            choices.add(choice(request, system, turns, plan, features, index));
        }
        String completionId = "chatcmpl-" + UUID.randomUUID().toString().replace("-", "");
        return new ChatRun(
                completionId,
                Instant.now().getEpochSecond(),
                this.properties.modelName(),
                request.conversation.id(),
                choices,
                request.command.sampling().logprobs() != null);
    }

    /**
     * One independent sample: its own generation slot, the request's seed + {@code index} (so {@code n} samples of
     * a seeded request are reproducible and differ from each other), stored in the conversation only as choice 0.
     */
    private Flux<GenerationChunk> choice(
            Request request,
            @Nullable String system,
            List<PromptTurn> turns,
            PromptPlan plan,
            Map<String, Tensor> features,
            int index) {
        Long seed = request.command.sampling().seed();
        SamplingParams sampling = seed == null || index == 0
                ? request.command.sampling()
                : request.command.sampling().withSeed(seed + index);
        return Flux.defer(() -> {
            StringBuilder answer = new StringBuilder();
            AtomicLong previousDelta = new AtomicLong();
            return this.limiter
                    .acquire()
                    .flatMapMany(permit -> attempt(request, sampling, system, turns, plan, features)
                            .doFinally(signal -> permit.release()))
                    .doOnNext(chunk -> observe(request, chunk, previousDelta))
                    .concatMap(chunk -> {
                        answer.append(chunk.textDelta());
                        return chunk.last() && index == 0
                                ? save(request, chunk, answer.toString()).thenReturn(chunk)
                                : Mono.just(chunk);
                    });
        });
    }

    /**
     * Generates from {@code plan}; should the server still find the prompt too long (the token estimate was low),
     * retries with one history turn fewer. The server reports that before any text, so nothing was sent yet.
     */
    private Flux<GenerationChunk> attempt(
            Request request,
            SamplingParams sampling,
            @Nullable String system,
            List<PromptTurn> turns,
            PromptPlan plan,
            Map<String, Tensor> features) {
        List<Tensor> embeds = plan.images().stream()
                .map(image -> features.get(image.sha256()))
                .toList();
        GenerationRequest generation = new GenerationRequest(
                this.properties.llmModel(),
                plan.prompt(),
                embeds.isEmpty() ? null : ImageEmbeds.stack(embeds),
                sampling,
                request.requestId,
                this.properties.generationDeadline());
        return Steps.observe(this.client.generate(generation), "comprehension.generate", this.observations)
                .doOnNext(chunk -> {
                    if (chunk.last() && chunk.promptTokens() != null) {
                        this.estimator.observe(
                                plan.textCodePoints(), plan.images().size(), chunk.promptTokens());
                    }
                })
                .onErrorResume(
                        ContextLengthExceededException.class,
                        tooLong -> plan.historyTurns() == 0
                                ? Flux.error(tooLong)
                                : Flux.defer(() -> attempt(
                                        request,
                                        sampling,
                                        system,
                                        turns,
                                        this.planner.plan(
                                                system,
                                                turns,
                                                request.command.reservedTokens(),
                                                plan.historyTurns() - 1),
                                        features)));
    }

    private void observe(Request request, GenerationChunk chunk, AtomicLong previousDelta) {
        long now = System.nanoTime();
        if (!chunk.textDelta().isEmpty() || chunk.last()) {
            long previous = previousDelta.getAndSet(now);
            if (previous == 0) {
                this.metrics.firstToken(Duration.ofNanos(now - request.arrivalNanos));
            } else if (!chunk.textDelta().isEmpty()) {
                this.metrics.interToken(Duration.ofNanos(now - previous));
            }
        }
        if (chunk.last()) {
            this.metrics.finished(
                    Duration.ofNanos(now - request.arrivalNanos),
                    String.valueOf(chunk.finishReason()),
                    requireNonNullElse(chunk.promptTokens(), 0),
                    requireNonNullElse(chunk.completionTokens(), 0),
                    request.sourced.size());
        }
    }

    /** Stores the request's turns, the answered one last, unless the server cancelled the generation. */
    private Mono<Conversation> save(Request request, GenerationChunk last, String answer) {
        if ("cancelled".equals(last.finishReason())) {
            return Mono.empty();
        }
        int next = 0;
        List<ChatCommand.Turn> turns = request.command.turns();
        List<ConversationTurn> finished = new ArrayList<>();
        for (ChatCommand.Turn turn : turns) {
            List<String> images = request
                    .sourced
                    .subList(next, next + turn.images().size())
                    .stream()
                    .map(SourcedImage::sha256)
                    .toList();
            next += turn.images().size();
            finished.add(new ConversationTurn(turn.text(), images, turn.answer() != null ? turn.answer() : answer));
        }
        return this.conversations.append(request.conversation, finished);
    }

    /** The inputs of one request, resolved. */
    private record Request(
            ChatCommand command,
            Conversation conversation,
            List<SourcedImage> sourced,
            String requestId,
            long arrivalNanos) {}
}
