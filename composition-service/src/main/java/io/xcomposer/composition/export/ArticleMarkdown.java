package io.xcomposer.composition.export;

import io.xcomposer.composition.article.Composition;
import io.xcomposer.composition.article.ImageRef;
import io.xcomposer.composition.article.Slot;
import java.util.function.Function;

/** The article as Markdown: title, paragraphs, each chosen image as an image link after its paragraph. */
final class ArticleMarkdown {

    private ArticleMarkdown() {}

    /** @param link where an image is linked from (its URL, or a path inside an export) */
    static String render(Composition composition, Function<ImageRef, String> link) {
        StringBuilder markdown =
                new StringBuilder("# ").append(composition.title()).append("\n\n");
        for (int i = 0; i < composition.paragraphs().size(); i++) {
            markdown.append(composition.paragraphs().get(i)).append("\n\n");
            composition
                    .slot(i)
                    .filter(slot -> slot.image() != null)
                    .ifPresent(slot -> markdown.append("![")
                            .append(altText(slot))
                            .append("](")
                            .append(link.apply(slot.image()))
                            .append(")\n\n"));
        }
        return markdown.toString();
    }

    private static String altText(Slot slot) {
        return slot.caption().replace("[", "(").replace("]", ")").replace("\n", " ");
    }
}
