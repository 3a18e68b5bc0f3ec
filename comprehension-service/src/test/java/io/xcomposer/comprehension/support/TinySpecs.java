package io.xcomposer.comprehension.support;

import io.xcomposer.comprehension.config.ModelSpecs;
import io.xcomposer.comprehension.config.ModelSpecsSource;
import io.xcomposer.inference.client.model.ChatTemplate;
import io.xcomposer.inference.client.model.LlmSpec;
import io.xcomposer.inference.client.model.VisionSpec;
import java.util.List;

/** The tiny model's specs as its config.pbtxt describes them, for unit tests that need no model server. */
public final class TinySpecs {

    public static final ChatTemplate TEMPLATE =
            new ChatTemplate("", " <|User|>:", "\n<eoh>", " <|Bot|>:", "<eoa>\n", "before_text", "<ImageHere>");

    private TinySpecs() {}

    public static ModelSpecsSource withContext(int contextLength) {
        LlmSpec llm = new LlmSpec(contextLength, 256, 18, 256, List.of("<eoa>", "</s>"), TEMPLATE);
        VisionSpec vision = new VisionSpec(
                64, "bicubic", new float[] {0.5f, 0.5f, 0.5f}, new float[] {0.25f, 0.25f, 0.25f}, 18, 256);
        return ModelSpecsSource.of(new ModelSpecs(llm, vision, 16, "test"));
    }
}
