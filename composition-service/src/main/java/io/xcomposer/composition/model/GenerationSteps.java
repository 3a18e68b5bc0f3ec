package io.xcomposer.composition.model;

import io.xcomposer.inference.client.contract.LlmContract;
import io.xcomposer.inference.client.model.ModelDescription;
import io.xcomposer.inference.grpc.ModelConfig;
import java.util.Map;
import tools.jackson.core.JacksonException;
import tools.jackson.core.type.TypeReference;
import tools.jackson.databind.DeserializationFeature;
import tools.jackson.databind.json.JsonMapper;

/**
 * The per-step generation settings the llm publishes in {@code composition.generation} (docs/model-contract.md), e.g.
 * the seed's beam 5 for writing, spotting and selection on XComposer-7B. Without the parameter, or for a step it does
 * not name, every step keeps composition's own defaults (the article sampled, the rest greedy, one beam).
 */
public record GenerationSteps(Map<String, StepGeneration> steps) {

    private static final JsonMapper JSON = JsonMapper.builder()
            .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
            .build();

    public GenerationSteps {
        steps = Map.copyOf(steps);
    }

    public static GenerationSteps fromConfig(ModelConfig config) {
        ModelDescription llm = ModelDescription.of(config);
        String json = llm.optionalString(LlmContract.COMPOSITION_GENERATION);
        if (json == null) {
            return new GenerationSteps(Map.of());
        }
        try {
            return new GenerationSteps(JSON.readValue(json, new TypeReference<Map<String, StepGeneration>>() {}));
        } catch (JacksonException | IllegalArgumentException malformed) {
            throw new IllegalStateException("model '" + llm.name() + "' parameter '"
                    + LlmContract.COMPOSITION_GENERATION + "' is not a JSON object of step settings: "
                    + malformed.getMessage());
        }
    }

    public StepGeneration of(Step step) {
        return this.steps.getOrDefault(step.key(), StepGeneration.DEFAULTS);
    }
}
