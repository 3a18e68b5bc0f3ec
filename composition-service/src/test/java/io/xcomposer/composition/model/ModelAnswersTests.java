package io.xcomposer.composition.model;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class ModelAnswersTests {

    @Test
    void paragraphs_collapseBlankLines_andKeepAtMostMax() {
        assertThat(ModelAnswers.paragraphs("one\n\n  two \n\nthree\nfour", 3)).containsExactly("one", "two", "three");
    }

    @Test
    void positions_areDistinctSortedInsideTheArticle_andLimited() {
        assertThat(ModelAnswers.positions("<Seg3>, <Seg1>, <Seg1>, <Seg9>", 5, 10))
                .containsExactly(1, 3);
        assertThat(ModelAnswers.positions("<Seg3>, <Seg1>, <Seg2>", 5, 2)).containsExactly(1, 3);
        assertThat(ModelAnswers.positions("none", 5, 2)).isEmpty();
    }

    @Test
    void caption_endsAtTheClosingQuote() {
        assertThat(ModelAnswers.caption("A small red circle at the top.\" extra"))
                .isEqualTo("A small red circle at the top.");
        assertThat(ModelAnswers.caption("左上方有一个小的红色圆形。")).isEqualTo("左上方有一个小的红色圆形。");
    }

    @Test
    void letter_namesACandidateOrNothing() {
        assertThat(ModelAnswers.letter("C", 4)).hasValue(2);
        assertThat(ModelAnswers.letter(" A.", 4)).hasValue(0);
        assertThat(ModelAnswers.letter("E", 4)).isEmpty();
        assertThat(ModelAnswers.letter("the second", 4)).isEmpty();
    }
}
