package io.xcomposer.composition.model;

import io.xcomposer.inference.client.model.ChatTemplate;
import io.xcomposer.inference.client.model.LlmSpec;
import io.xcomposer.inference.client.model.ModelDescription;
import io.xcomposer.inference.grpc.ModelConfig;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;

/**
 * The seed's composition prompts as the llm publishes them in {@code config.pbtxt} ({@code composition.*}), wrapped
 * in its chat template. Every prompt is {@code system + user_prefix + content + user_suffix + assistant_prefix +
 * answer_prefix}, exactly how the tiny model was trained (model-repository/tiny/training/tasks.py).
 *
 * @param candidates how many candidate images the select prompt shows (its placeholders after the context)
 * @param selectByDefault the model's own advice on whether its selection should run when a request does not say
 * ({@code composition.select_by_default}); null when it gives none
 */
public record CompositionPrompts(
        ChatTemplate chat,
        String write,
        String spot,
        String spotAnswerPrefix,
        String caption,
        String captionPrevious,
        String captionAnswerPrefix,
        String select,
        String selectAnswerPrefix,
        int candidates,
        @Nullable Boolean selectByDefault) {

    private static final Pattern PLACEHOLDER = Pattern.compile("\\{(\\w+)}");

    public static CompositionPrompts fromConfig(ModelConfig config) {
        ModelDescription llm = ModelDescription.of(config);
        ChatTemplate chat = LlmSpec.fromConfig(config).template();
        String select = llm.requireString("composition.select");
        int candidates = countOccurrences(select, chat.imagePlaceholder());
        if (candidates < 1) {
            throw new IllegalStateException("composition.select shows no candidate image placeholder");
        }
        return new CompositionPrompts(
                chat,
                llm.requireString("composition.write"),
                llm.requireString("composition.spot"),
                llm.requireString("composition.spot_answer_prefix"),
                llm.requireString("composition.caption"),
                llm.requireString("composition.caption_previous"),
                llm.requireString("composition.caption_answer_prefix"),
                select,
                llm.requireString("composition.select_answer_prefix"),
                candidates,
                llm.optionalBoolean("composition.select_by_default"));
    }

    public String writePrompt(String title) {
        return turn(fill(this.write, Map.of("title", plain(title))), "");
    }

    /** @param count the number of images to place, or null to let the model choose (the seed's empty string) */
    public String spotPrompt(List<String> paragraphs, @Nullable Integer count) {
        String content = fill(
                this.spot,
                Map.of(
                        "article",
                        tag(plain(paragraphs), paragraphs.size()),
                        "count",
                        count == null ? "" : count.toString()));
        return turn(content, this.spotAnswerPrefix);
    }

    /**
     * @param position the paragraph the image goes after; the article is shown up to and including it
     * @param previous captions of the earlier slots, in article order (paragraph index → caption)
     */
    public String captionPrompt(List<String> paragraphs, int position, Map<Integer, String> previous) {
        StringBuilder earlier = new StringBuilder();
        previous.forEach((pos, text) ->
                earlier.append(fill(this.captionPrevious, Map.of("pos", pos.toString(), "caption", plain(text)))));
        String content = fill(
                this.caption,
                Map.of(
                        "article",
                        tag(plain(paragraphs), position + 1),
                        "previous",
                        earlier.toString(),
                        "pos",
                        Integer.toString(position)));
        return turn(content, this.captionAnswerPrefix);
    }

    /**
     * The context is paragraphs 0..position joined by newlines; a paragraph whose earlier slot holds an image is
     * followed by the image placeholder. The caller passes that slot image's embeddings first, then the
     * candidates'.
     */
    public String selectPrompt(List<String> paragraphs, int position, List<Integer> illustratedBefore) {
        StringBuilder context = new StringBuilder();
        for (int i = 0; i <= position; i++) {
            if (i > 0) {
                context.append('\n');
            }
            context.append(plain(paragraphs.get(i)));
            if (illustratedBefore.contains(i)) {
                context.append(this.chat.imagePlaceholder());
            }
        }
        return turn(fill(this.select, Map.of("context", context.toString())), this.selectAnswerPrefix);
    }

    /** A free-form instruction (rewriting a paragraph), with no answer prefix. */
    public String instructionPrompt(String content) {
        return turn(plain(content), "");
    }

    /** The seed's segment tagging: {@code <Seg{i}> {text}\n} for paragraphs 0..upto-1. */
    public static String tag(List<String> paragraphs, int upto) {
        StringBuilder tagged = new StringBuilder();
        for (int i = 0; i < upto; i++) {
            tagged.append("<Seg")
                    .append(i)
                    .append("> ")
                    .append(paragraphs.get(i))
                    .append('\n');
        }
        return tagged.toString();
    }

    /** Replaces {@code {name}} placeholders of the template only, never inside the substituted values. */
    static String fill(String template, Map<String, String> values) {
        Matcher matcher = PLACEHOLDER.matcher(template);
        StringBuilder filled = new StringBuilder();
        while (matcher.find()) {
            String value = values.get(matcher.group(1));
            matcher.appendReplacement(filled, Matcher.quoteReplacement(value == null ? matcher.group() : value));
        }
        matcher.appendTail(filled);
        return filled.toString();
    }

    /**
     * Text from users or earlier answers without the image placeholder: only the templates and the select context
     * place images, so a title or paragraph can never open an image slot that no image fills.
     */
    private String plain(String text) {
        return text.replace(this.chat.imagePlaceholder(), "");
    }

    private List<String> plain(List<String> texts) {
        return texts.stream().map(this::plain).toList();
    }

    private String turn(String content, String answerPrefix) {
        return this.chat.firstTurn(content, 0) + answerPrefix;
    }

    private static int countOccurrences(String text, String needle) {
        int count = 0;
        for (int at = text.indexOf(needle); at >= 0; at = text.indexOf(needle, at + needle.length())) {
            count++;
        }
        return count;
    }
}
