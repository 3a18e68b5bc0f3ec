package io.xcomposer.comprehension.prompt;

/**
 * Where the images of an interleaved user message sit in its text. A message whose images all come before or after
 * its text is rendered the seed's way, images right after the user marker; a message with an image between two
 * pieces of text ("Which image shows a red star? A." image "B." image …) keeps its images in place, as the seed's
 * interleaved prompts do. The parser marks those places with {@link #ANCHOR} (U+FFFC, OBJECT REPLACEMENT CHARACTER,
 * removed from what users type), and {@link PromptPlanner} replaces each with the model's image placeholder.
 */
public final class ImageAnchors {

    public static final char ANCHOR = '\uFFFC';

    private static final String ANCHOR_TEXT = String.valueOf(ANCHOR);

    private ImageAnchors() {}

    public static int count(String text) {
        return (int) text.chars().filter(c -> c == ANCHOR).count();
    }

    static String replace(String text, String placeholder) {
        return text.replace(ANCHOR_TEXT, placeholder);
    }

    /** The text without anchors: for user text, so that only the parser places them, or to drop the places. */
    public static String strip(String text) {
        return text.replace(ANCHOR_TEXT, "");
    }
}
