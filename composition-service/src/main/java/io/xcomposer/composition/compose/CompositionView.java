package io.xcomposer.composition.compose;

import io.xcomposer.composition.article.Composition;
import io.xcomposer.composition.article.ImageRef;
import io.xcomposer.composition.article.Slot;
import io.xcomposer.composition.article.StepError;
import io.xcomposer.composition.article.Usage;
import java.util.ArrayList;
import java.util.List;
import org.jspecify.annotations.Nullable;

/** A composition as clients see it: the article as typed blocks, text and image, in reading order. */
public record CompositionView(
        String id,
        String object,
        String title,
        String language,
        String status,
        @Nullable Integer images,
        boolean select,
        long seed,
        List<Block> blocks,
        Usage usage,
        @Nullable StepError error,
        long createdAt,
        long updatedAt) {

    public static CompositionView of(Composition composition) {
        List<Block> blocks = new ArrayList<>();
        for (int i = 0; i < composition.paragraphs().size(); i++) {
            blocks.add(new TextBlock("text", i, composition.paragraphs().get(i)));
            composition.slot(i).map(ImageBlock::of).ifPresent(blocks::add);
        }
        return new CompositionView(
                composition.id(),
                "composition",
                composition.title(),
                composition.language(),
                composition.status().wire(),
                composition.imageCount(),
                composition.select(),
                composition.seed(),
                blocks,
                composition.usage(),
                composition.error(),
                composition.createdAt().getEpochSecond(),
                composition.updatedAt().getEpochSecond());
    }

    public sealed interface Block permits TextBlock, ImageBlock {

        String type();

        int paragraph();
    }

    public record TextBlock(String type, int paragraph, String text) implements Block {}

    /**
     * The image after paragraph {@code paragraph}. Without an image ({@code image} null) it either waits for one or
     * carries the {@code error} that left it empty.
     */
    public record ImageBlock(
            String type,
            int paragraph,
            String caption,
            @Nullable ImageRef image,
            @Nullable Integer candidate,
            @Nullable String selection,
            List<ImageRef> candidates,
            @Nullable StepError error)
            implements Block {

        static ImageBlock of(Slot slot) {
            return new ImageBlock(
                    "image",
                    slot.paragraph(),
                    slot.caption(),
                    slot.image(),
                    slot.chosen(),
                    slot.selection(),
                    slot.candidates(),
                    slot.error());
        }
    }
}
