package io.xcomposer.comprehension.config;

import io.xcomposer.inference.client.contract.LlmContract;
import io.xcomposer.inference.client.contract.VisionContract;
import java.time.Duration;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.util.unit.DataSize;

/**
 * The chat service ({@code xcomposer.comprehension.*}).
 *
 * @param modelName the model name answered in responses ({@code model} field)
 * @param llmModel the decoupled generation model on the inference server
 * @param visionModel the vision encoder on the inference server
 * @param generationDeadline deadline of one whole generation stream
 * @param visionDeadline deadline of one vision-encoder call
 * @param keepAlive interval of {@code : keep-alive} comments on SSE streams
 * @param maxImagesPerRequest images accepted in one request's messages
 * @param imageMaxBytes largest encoded image accepted
 * @param imageMaxPixels largest width × height accepted, read from the header before decoding
 * @param maxChoices the largest {@code n} (independent samples of one request, each a generation of its own)
 */
@ConfigurationProperties(ComprehensionProperties.PREFIX)
public record ComprehensionProperties(
        @DefaultValue("xcomposer") String modelName,
        @DefaultValue(LlmContract.MODEL) String llmModel,
        @DefaultValue(VisionContract.MODEL) String visionModel,
        @DefaultValue("120s") Duration generationDeadline,
        @DefaultValue("30s") Duration visionDeadline,
        @DefaultValue("15s") Duration keepAlive,
        @DefaultValue("8") int maxImagesPerRequest,
        @DefaultValue("20MB") DataSize imageMaxBytes,
        @DefaultValue("40000000") long imageMaxPixels,
        @DefaultValue("4") int maxChoices) {

    public static final String PREFIX = "xcomposer.comprehension";
}
