package io.xcomposer.evaluation.benchmark;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class AnswerExtractorTests {

    private static final List<String> OPTIONS = List.of("top left", "top", "bottom right", "center");

    @ParameterizedTest
    @CsvSource(
            delimiter = '|',
            value = {
                "B|B",
                "B.|B",
                "(C)|C",
                "D) center|D",
                "The answer is C|C",
                "Answer: (A) top left|A",
                "答案是B|B",
                "选D。|D",
                "I think it is B.|B",
                "Ｃ|C",
            })
    void readsTheLetterFirst(String response, String letter) {
        assertThat(AnswerExtractor.option(response, OPTIONS)).isEqualTo(new Extraction(letter, "letter"));
    }

    @Test
    void fallsBackToTheOptionText() {
        assertThat(AnswerExtractor.option("At the bottom right.", OPTIONS))
                .isEqualTo(new Extraction("C", "option_text"));
        // "top" is inside "top left": the longer option wins
        assertThat(AnswerExtractor.option("Top left.", OPTIONS)).isEqualTo(new Extraction("A", "option_text"));
        // the English article is not option A
        assertThat(AnswerExtractor.option("A large circle in the center.", OPTIONS))
                .isEqualTo(new Extraction("D", "option_text"));
        assertThat(AnswerExtractor.option("红色。", List.of("蓝色", "红色", "绿色")))
                .isEqualTo(new Extraction("B", "option_text"));
    }

    @Test
    void countsWhatItCannotRead() {
        assertThat(AnswerExtractor.option("I am not sure.", OPTIONS)).isEqualTo(Extraction.unparsed());
        // two letters and no answer phrase: ambiguous
        assertThat(AnswerExtractor.option("It could be B or C", OPTIONS)).isEqualTo(Extraction.unparsed());
        // two option texts, neither inside the other
        assertThat(AnswerExtractor.option("center or bottom right", OPTIONS)).isEqualTo(Extraction.unparsed());
        // a letter beyond the options is no answer
        assertThat(AnswerExtractor.option("E", List.of("x", "y"))).isEqualTo(Extraction.unparsed());
        assertThat(AnswerExtractor.option("", OPTIONS)).isEqualTo(Extraction.unparsed());
    }

    @ParameterizedTest
    @CsvSource(
            delimiter = '|',
            value = {
                "Yes|Yes",
                "yes, there is.|Yes",
                "No.|No",
                "no, it is red|No",
                "有。|Yes",
                "是的|Yes",
                "没有。|No",
                "不是|No",
            })
    void readsYesAndNo(String response, String expected) {
        assertThat(AnswerExtractor.yesNo(response).value()).isEqualTo(expected);
    }

    @Test
    void yesAndNoTogetherIsUnparsed() {
        assertThat(AnswerExtractor.yesNo("Yes and no").parsed()).isFalse();
        assertThat(AnswerExtractor.yesNo("A red circle.").parsed()).isFalse();
    }
}
