package io.xcomposer.evaluation.benchmark;

import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;

/**
 * One finished request, one line of {@code results.jsonl}. The reports are computed from these lines alone, so
 * a resumed run scores the same as an uninterrupted one.
 *
 * @param response the model's text; null when the request failed ({@code error} says why)
 * @param extracted what {@link AnswerExtractor} read; null when unparsed or failed
 * @param method how it was read ({@link Extraction#method()}), or {@code error}
 */
public record ItemResult(
        String key,
        String itemId,
        String group,
        int rotation,
        String category,
        String l2Category,
        String expected,
        @Nullable String response,
        @Nullable String extracted,
        String method,
        boolean correct,
        @Nullable String error) {

    public static final String ERROR = "error";

    public static ItemResult failed(BenchmarkQuery query, String error) {
        BenchmarkItem item = query.item();
        return new ItemResult(
                query.key(),
                item.id(),
                item.group(),
                query.rotation(),
                item.category(),
                item.l2Category(),
                query.expected(),
                null,
                null,
                ERROR,
                false,
                error);
    }

    /** Scores {@code response} against the query's expected answer with the item's match rule. */
    public static ItemResult scored(BenchmarkQuery query, String response) {
        BenchmarkItem item = query.item();
        Extraction extraction = extract(query, response);
        boolean correct = extraction.parsed() && matches(query, extraction.value());
        return new ItemResult(
                query.key(),
                item.id(),
                item.group(),
                query.rotation(),
                item.category(),
                item.l2Category(),
                query.expected(),
                response,
                extraction.value(),
                extraction.method(),
                correct,
                null);
    }

    public boolean unparsed() {
        return Extraction.UNPARSED.equals(method);
    }

    public boolean failed() {
        return ERROR.equals(method);
    }

    static Extraction extract(BenchmarkQuery query, String response) {
        return switch (query.item().match()) {
            case LETTER -> AnswerExtractor.option(response, query.options());
            case YES_NO -> AnswerExtractor.yesNo(response);
            case EXACT, PATTERN -> new Extraction(response.strip(), "text");
        };
    }

    private static boolean matches(BenchmarkQuery query, String value) {
        return switch (query.item().match()) {
            case LETTER ->
                value.equals(AnswerExtractor.option(query.expected(), query.options())
                        .value());
            case YES_NO -> value.equals(query.expected());
            case EXACT -> AnswerExtractor.normalise(value).equals(AnswerExtractor.normalise(query.expected()));
            case PATTERN -> Pattern.compile(query.expected()).matcher(value).find();
        };
    }
}
