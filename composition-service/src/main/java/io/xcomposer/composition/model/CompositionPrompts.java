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
 * in its chat template. Every step's prompt is {@code user_prefix + content + user_suffix + assistant_prefix +
 * answer_prefix}: the seed's composition steps carry no meta instruction, so {@code chat_template.system} is left out
 * (the tiny model's system text is empty, and its training in model-repository/tiny/training/tasks.py is unchanged).
 *
 * @param captionPrevious one earlier slot's caption in the caption prompt ({pos}, {caption})
 * @param captionHistory wraps the joined earlier captions ({entries}); the 7B's {@code 现在{entries}。}
 * @param captionHistorySeparator between two earlier captions; the 7B's {@code ， }
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
        String captionHistory,
        String captionHistorySeparator,
        String captionAnswerPrefix,
        String select,
        String selectAnswerPrefix,
        int candidates,
        @Nullable Boolean selectByDefault) {

    private static final Pattern PLACEHOLDER = Pattern.compile("\\{(\\w+)}");

    /** Without {@code composition.caption_history}: the earlier captions as they are (the tiny model's format). */
    static final String CAPTION_HISTORY_AS_IS = "{entries}";

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
                optionalString(llm, "composition.caption_history", CAPTION_HISTORY_AS_IS),
                optionalString(llm, "composition.caption_history_separator", ""),
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
        String earlier = previous.isEmpty() ? "" : captionHistory(previous);
        String content = fill(
                this.caption,
                Map.of(
                        "article",
                        tag(plain(paragraphs), position + 1),
                        "previous",
                        earlier,
                        "pos",
                        Integer.toString(position)));
        return turn(content, this.captionAnswerPrefix);
    }

    /** The seed's {@code 现在<SegA>…"a"， <SegB>…"b"。} for the 7B; the tiny model's entries one after another. */
    private String captionHistory(Map<Integer, String> previous) {
        List<String> entries = previous.entrySet().stream()
                .map(entry -> fill(
                        this.captionPrevious,
                        Map.of("pos", entry.getKey().toString(), "caption", plain(entry.getValue()))))
                .toList();
        return fill(this.captionHistory, Map.of("entries", String.join(this.captionHistorySeparator, entries)));
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

    /**
     * A free-form instruction (rewriting a paragraph), with no answer prefix. Unlike the seed's steps it is a chat
     * turn, so it keeps the system text.
     */
    public String instructionPrompt(String content) {
        return this.chat.firstTurn(plain(content), 0);
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
        return this.chat.userTurn(content, 0) + this.chat.assistantPrefix() + answerPrefix;
    }

    private static String optionalString(ModelDescription llm, String key, String fallback) {
        String value = llm.optionalString(key);
        return value == null ? fallback : value;
    }

    private static int countOccurrences(String text, String needle) {
        int count = 0;
        for (int at = text.indexOf(needle); at >= 0; at = text.indexOf(needle, at + needle.length())) {
            count++;
        }
        return count;
    }
}
