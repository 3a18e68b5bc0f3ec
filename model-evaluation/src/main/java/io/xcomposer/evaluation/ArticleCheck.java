package io.xcomposer.evaluation;

import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Whether a generated article (task {@code write}) is well formed. Its content is random by design, so it cannot be
 * matched against the reference; what can be checked is the structure the model was taught: at least three
 * paragraphs, at least one picture paragraph and every one of them ("In the Nth picture, ..." / "第N幅图中，...") an object list in the scene
 * grammar, and the first paragraph naming the title's theme.
 */
public final class ArticleCheck {

    private static final Pattern TITLE = Pattern.compile("文章：(.*)\\n<eoh>", Pattern.DOTALL);
    // Title templates of training/tasks.py (TITLES); {T} is the theme.
    private static final List<Pattern> EN_TITLES = List.of(
            Pattern.compile("A Tour of (.+)"),
            Pattern.compile("(.+) Everywhere"),
            Pattern.compile("The Story of (.+)"),
            Pattern.compile("Looking at (.+)"),
            Pattern.compile("A Day with (.+)"));
    private static final List<Pattern> ZH_TITLES = List.of(
            Pattern.compile("(.+)之旅"),
            Pattern.compile("(.+)的故事"),
            Pattern.compile("看看(.+)"),
            Pattern.compile("到处都是(.+)"),
            Pattern.compile("和(.+)在一起的一天"));
    private static final Pattern EN_PICTURE = Pattern.compile("In the (first|second|third|fourth) picture, (.*)");
    private static final Pattern ZH_PICTURE = Pattern.compile("第([一二三四])幅图中，(.*)");

    private ArticleCheck() {}

    /** The theme the article is about, read from the title in a {@code write} prompt; empty if none is found. */
    public static Optional<String> theme(String prompt, String lang) {
        Matcher title = TITLE.matcher(prompt);
        if (!title.find()) {
            return Optional.empty();
        }
        for (Pattern template : "zh".equals(lang) ? ZH_TITLES : EN_TITLES) {
            Matcher m = template.matcher(title.group(1).trim());
            if (m.matches()) {
                return Optional.of(m.group(1).toLowerCase(Locale.ROOT));
            }
        }
        return Optional.empty();
    }

    public static boolean wellFormed(String article, String theme, String lang) {
        List<String> paragraphs = article.strip()
                .lines()
                .map(String::strip)
                .filter(p -> !p.isEmpty())
                .toList();
        if (paragraphs.size() < 3 || !paragraphs.get(0).toLowerCase(Locale.ROOT).contains(theme)) {
            return false;
        }
        Pattern picture = "zh".equals(lang) ? ZH_PICTURE : EN_PICTURE;
        int pictures = 0;
        for (String paragraph : paragraphs) {
            Matcher m = picture.matcher(paragraph);
            if (m.matches()) {
                pictures++;
                if (CaptionParser.strictObjectList(m.group(2), lang).isEmpty()) {
                    return false;
                }
            }
        }
        // An "illustrated article" without a single picture paragraph is not what the task asks for.
        return pictures > 0;
    }
}
