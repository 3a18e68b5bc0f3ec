package io.xcomposer.evaluation.benchmark;

import java.util.List;
import java.util.Locale;
import java.util.stream.Collectors;
import java.util.stream.IntStream;

/**
 * How a question becomes the user message's text (images always go before it, as XComposer places them).
 * Robustness slices are sent verbatim in every style: they test the model's own phrasing.
 */
public enum PromptStyle {
    /**
     * InternLM-XComposer v1's evaluation prompts: MMBench {@code Context: {hint or N/A}\nQuestion: {q}\nOptions:
     * A. ..\nB. ..\n}; SEED the same without the context line; MME {@code {question} Answer this question briefly}.
     * The seed also opens the answer with {@code Answer: The answer is} and decodes with 5 beams; a chat API has
     * neither, so this sends the user part, decodes greedily and lets extraction read "The answer is B".
     */
    XCOMPOSER,
    /** VLMEvalKit's generic prompts: {@code Hint: ..\nQuestion: ..\nOptions:\nA. ..\nPlease select the correct
     * answer from the options above. \n}; MME questions as they are. */
    VLMEVALKIT,
    /** The layout the embedded tiny model was trained on ({@code Answer with the option's letter.} / 请直接回答选项字母。). */
    TINY;

    public static PromptStyle parse(String name) {
        return valueOf(name.toUpperCase(Locale.ROOT).replace('-', '_'));
    }

    public String text(BenchmarkKind kind, BenchmarkQuery query) {
        BenchmarkItem item = query.item();
        return switch (kind) {
            case SLICES -> item.question();
            case MME -> this == XCOMPOSER ? item.question() + " Answer this question briefly" : item.question();
            case MMBENCH, SEED -> choice(kind, item.question(), item.hint(), query.options());
        };
    }

    private String choice(BenchmarkKind kind, String question, String hint, List<String> options) {
        return switch (this) {
            case XCOMPOSER -> {
                String context =
                        kind == BenchmarkKind.MMBENCH ? "Context: " + (hint.isBlank() ? "N/A" : hint) + "\n" : "";
                yield context + "Question: " + question + "\nOptions: " + lines(options, "\n") + "\n";
            }
            case VLMEVALKIT ->
                (hint.isBlank() ? "" : "Hint: " + hint + "\n") + "Question: " + question + "\nOptions:\n"
                        + lines(options, "\n") + "\nPlease select the correct answer from the options above. \n";
            case TINY -> {
                boolean zh = question.codePoints().anyMatch(c -> c >= 0x4e00 && c <= 0x9fff);
                String head = hint.isBlank() ? "" : hint + "\n";
                yield zh
                        ? head + "问题：" + question + "\n选项：\n" + lines(options, "\n") + "\n请直接回答选项字母。"
                        : head + "Question: " + question + "\nOptions:\n" + lines(options, "\n")
                                + "\nAnswer with the option's letter.";
            }
        };
    }

    private static String lines(List<String> options, String separator) {
        return IntStream.range(0, options.size())
                .mapToObj(i -> AnswerExtractor.LETTERS.charAt(i) + ". " + options.get(i))
                .collect(Collectors.joining(separator));
    }
}
