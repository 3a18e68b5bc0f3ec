package io.xcomposer.composition.compose;

import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.Pattern;
import jakarta.validation.constraints.Size;
import java.util.List;
import org.jspecify.annotations.Nullable;
import tools.jackson.databind.annotation.JsonDeserialize;

/**
 * {@code POST /v1/compositions}.
 *
 * @param language {@code en} or {@code zh}; default from the title's script
 * @param images {@code "auto"} (the model decides, the default) or a number of images
 * @param select whether the model selects among the candidates; default from configuration
 * @param userImages uploaded image ids ({@code img_…}) or {@code data:} URLs to illustrate with instead of
 * retrieval
 * @param maxParagraphs paragraphs kept from the written article
 * @param seed sampling seed of the article's writing; default random (the composition reports the seed it used)
 */
public record CreateCompositionRequest(
        @NotBlank @Size(max = 300) String title,

        @Nullable @Pattern(regexp = "en|zh", message = "must be en or zh")
        String language,

        @Nullable
        @Pattern(regexp = "auto|[0-9]{1,2}", message = "must be \"auto\" or a number of images")
        @JsonDeserialize(using = ImageCountDeserializer.class)
        String images,

        @Nullable Boolean select,
        @Nullable @Size(max = 30) List<String> userImages,
        @Nullable @Min(1) @Max(60) Integer maxParagraphs,
        @Nullable @Min(0) Long seed) {}
