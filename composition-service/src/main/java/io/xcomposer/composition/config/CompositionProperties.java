package io.xcomposer.composition.config;

import io.xcomposer.inference.client.contract.LlmContract;
import io.xcomposer.inference.client.contract.VisionContract;
import jakarta.validation.Valid;
import jakarta.validation.constraints.DecimalMax;
import jakarta.validation.constraints.DecimalMin;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotBlank;
import java.time.Duration;
import org.jspecify.annotations.Nullable;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.validation.annotation.Validated;

/**
 * How compositions run.
 *
 * @param llmModel the decoupled text model (its {@code composition.*} parameters are the prompts)
 * @param visionModel the vision encoder whose embeddings the llm splices in for image selection
 * @param maxRunning compositions running at once on this instance; more are refused with 503 and Retry-After
 * @param retryAfter the Retry-After sent with that 503
 * @param selectByDefault whether the model selects among the candidates when a request does not say; off means
 * the retrieval's first candidate is used (the seed's "model select" checkbox). Unset: the llm's
 * {@code composition.select_by_default} parameter decides, and without one selection is on
 * @param excludeFromSearch which gallery images a slot's search leaves out: the images shown in other slots (the
 * default, so no image repeats while an exact match stays available to the slot that needs it), or every
 * candidate offered earlier in the article (the seed's demo, which also keeps the candidate lists disjoint)
 * @param maxParagraphs paragraphs kept from a written article (the seed keeps 60)
 * @param ttl how long a composition's state and event log stay in Redis after their last change
 * @param maxEvents event-log length cap (Redis stream MAXLEN, approximate)
 * @param pollInterval how often an event stream that has caught up looks for new events
 * @param keepAlive interval of SSE keep-alive comments
 * @param writeSampling how the article is sampled (spotting, captions and selection are greedy); the llm's
 * {@code composition.generation} parameter can ask for beam search per step instead
 * @param maxTokens generation limits per step
 * @param rewrite prompts of the paragraph rewrite operation ({paragraph}, {instruction}); the tiny model was never
 * trained on them
 * @param lease who runs which composition, and how fast another replica ends one whose replica died
 */
@Validated
@ConfigurationProperties(CompositionProperties.PREFIX)
public record CompositionProperties(
        @DefaultValue(LlmContract.MODEL) @NotBlank String llmModel,
        @DefaultValue(VisionContract.MODEL) @NotBlank String visionModel,
        @DefaultValue("4") @Min(1) int maxRunning,
        @DefaultValue("10s") Duration retryAfter,
        @Nullable Boolean selectByDefault,
        @DefaultValue("shown") ExcludeFromSearch excludeFromSearch,
        @DefaultValue("60") @Min(1) int maxParagraphs,
        @DefaultValue("24h") Duration ttl,
        @DefaultValue("10000") @Min(100) int maxEvents,
        @DefaultValue("150ms") Duration pollInterval,
        @DefaultValue("15s") Duration keepAlive,
        @DefaultValue @Valid WriteSampling writeSampling,
        @DefaultValue @Valid MaxTokens maxTokens,
        @DefaultValue @Valid Rewrite rewrite,
        @DefaultValue @Valid Lease lease) {

    public static final String PREFIX = "xcomposer.composition";

    /** What a slot's retrieval excludes; both keep shown images unique within an article. */
    public enum ExcludeFromSearch {

        /** Images shown in the article's other slots. */
        SHOWN,

        /** Every candidate offered to an earlier slot, shown or not (seed §3). */
        OFFERED
    }

    /**
     * Sampling of the written article. The seed's XComposer2 composition demo samples with beam 1 and repetition
     * penalty 1.005; temperature 0 turns sampling off (greedy).
     *
     * @param temperature softmax temperature; 0 = greedy
     * @param topP nucleus mass kept
     * @param repetitionPenalty penalty on tokens already generated (1 = none)
     */
    public record WriteSampling(
            @DefaultValue("1.0") @DecimalMin("0") float temperature,

            @DefaultValue("0.9") @DecimalMin("0.01") @DecimalMax("1")
            float topP,

            @DefaultValue("1.005") @DecimalMin("1") float repetitionPenalty) {}

    /**
     * @param write the article
     * @param spot the spotting answer ({@code <Seg1>, <Seg3>})
     * @param caption one slot caption
     * @param select the selection letter
     * @param rewrite a rewritten paragraph
     */
    public record MaxTokens(
            @DefaultValue("400") @Min(1) int write,
            @DefaultValue("64") @Min(1) int spot,
            @DefaultValue("96") @Min(1) int caption,
            @DefaultValue("4") @Min(1) int select,
            @DefaultValue("200") @Min(1) int rewrite) {}

    /**
     * The XComposer2 demo's fixed Chinese edit prompts.
     *
     * @param expand for {@code instruction: expand}
     * @param shorten for {@code instruction: shorten}
     * @param other for any other instruction (tone, style, content), passed as {instruction}
     */
    public record Rewrite(
            @DefaultValue("扩写以下段落：{paragraph}") String expand,
            @DefaultValue("缩写以下段落：{paragraph}") String shorten,

            @DefaultValue("改写以下段落：{paragraph}\n要求：{instruction}")
            String other) {}

    /**
     * Job ownership. A replica holds a lease per composition it runs and renews it every {@code renewEvery}; a lease
     * not renewed for {@code ttl} has expired, and the composition is ended with an {@code error} event
     * ({@code composition_interrupted}) by the first replica whose sweep or event stream notices.
     *
     * @param replicaId this replica's id in the leases; must be unique among live replicas. Set it to a stable name
     * (a StatefulSet pod name) so a restarted replica ends its own orphans at once instead of after {@code ttl};
     * unset, a random id per process
     * @param ttl how long a lease lasts without renewal: the longest a dead replica's composition looks alive
     * @param renewEvery how often the owner renews (well under {@code ttl}, so a short pause does not lose it)
     * @param sweepEvery how often each replica looks for compositions whose lease expired, and how often an event
     * stream that waits for events checks its composition's lease
     * @param sweepBatch most compositions one sweep looks at
     */
    public record Lease(
            @Nullable String replicaId,
            @DefaultValue("3s") Duration ttl,
            @DefaultValue("1s") Duration renewEvery,
            @DefaultValue("1s") Duration sweepEvery,
            @DefaultValue("1000") @Min(1) int sweepBatch) {}
}
