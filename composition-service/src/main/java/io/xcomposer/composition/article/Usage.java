package io.xcomposer.composition.article;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonProperty;

/**
 * What a composition (with its edits) cost on the model server.
 *
 * @param llmCalls generations run
 * @param visionCalls images encoded for selection
 */
@JsonIgnoreProperties(value = "total_tokens", allowGetters = true)
public record Usage(long promptTokens, long completionTokens, long llmCalls, long visionCalls) {

    public static final Usage NONE = new Usage(0, 0, 0, 0);

    @JsonProperty("total_tokens")
    public long totalTokens() {
        return this.promptTokens + this.completionTokens;
    }

    public Usage plusGeneration(long prompt, long completion) {
        return new Usage(
                this.promptTokens + prompt, this.completionTokens + completion, this.llmCalls + 1, this.visionCalls);
    }

    public Usage plus(Usage other) {
        return new Usage(
                this.promptTokens + other.promptTokens,
                this.completionTokens + other.completionTokens,
                this.llmCalls + other.llmCalls,
                this.visionCalls + other.visionCalls);
    }

    public Usage plusVision(int images) {
        return new Usage(this.promptTokens, this.completionTokens, this.llmCalls, this.visionCalls + images);
    }
}
