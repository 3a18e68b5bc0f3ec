package io.xcomposer.composition.editing;

import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Size;
import org.jspecify.annotations.Nullable;

/** Bodies of the editing operations. */
final class EditRequests {

    private EditRequests() {}

    /** {@code :search}: the edited caption to search with. */
    record Search(@NotBlank @Size(max = 500) String caption) {}

    /** {@code :choose}: a candidate by index, or by image id. */
    record Choose(
            @Nullable @Min(0) Integer candidate, @Nullable String imageId) {}

    /** {@code POST slots}: add an image after this paragraph. */
    record AddSlot(@NotNull @Min(0) Integer afterParagraph) {}

    /** {@code :insert-images}: replace all images by this many (the seed's slider, 1–30). */
    record InsertImages(@NotNull @Min(1) @Max(30) Integer count) {}

    /** {@code :rewrite}: {@code expand}, {@code shorten}, or any other instruction (tone, style…). */
    record Rewrite(@NotBlank @Size(max = 500) String instruction) {}
}
