package io.xcomposer.comprehension.catalog;

import io.xcomposer.comprehension.config.ComprehensionProperties;
import io.xcomposer.comprehension.config.ModelSpecsSource;
import java.util.List;
import java.util.Map;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RestController;

/**
 * {@code GET /v1/models}: the model this service answers as, with the limits the served model's own configuration
 * gives ({@code context_length} of the llm's config, also under vLLM's name {@code max_model_len}). The gateway reads
 * it to fill its public model list, so the number has one source: the model repository. 503 until the model server
 * has been read.
 */
@RestController
class ModelCardController {

    private final ComprehensionProperties properties;
    private final ModelSpecsSource specs;

    ModelCardController(ComprehensionProperties properties, ModelSpecsSource specs) {
        this.properties = properties;
        this.specs = specs;
    }

    @GetMapping("/v1/models")
    Map<String, Object> models() {
        int contextLength = this.specs.get().llm().contextLength();
        Map<String, Object> card = Map.of(
                "id",
                this.properties.modelName(),
                "object",
                "model",
                "context_length",
                contextLength,
                "max_model_len",
                contextLength);
        return Map.of("object", "list", "data", List.of(card));
    }
}
