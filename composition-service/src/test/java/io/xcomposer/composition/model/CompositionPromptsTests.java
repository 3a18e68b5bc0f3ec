package io.xcomposer.composition.model;

import static org.assertj.core.api.Assertions.assertThat;

import io.xcomposer.inference.client.model.ChatTemplate;
import java.io.IOException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The prompts must be the strings the tiny model was trained on (model-repository/tiny/training/tasks.py). */
class CompositionPromptsTests {

    private static final ChatTemplate CHAT =
            new ChatTemplate("", " <|User|>:", "\n<eoh>", " <|Bot|>:", "<eoa>\n", "before_text", "<ImageHere>");

    private static final CompositionPrompts PROMPTS = new CompositionPrompts(
            CHAT,
            "根据给定标题写一个图文并茂，不重复的文章：{title}",
            "给定文章\"{article}\" 根据上述文章，选择适合插入图像的{count}行 ",
            "适合插入图像的行是",
            "给定文章\"{article}\" {previous}给出适合在<Seg{pos}>后插入的图像对应的标题。",
            "现在<Seg{pos}>后插入图像对应的标题是\"{caption}\"，",
            CompositionPrompts.CAPTION_HISTORY_AS_IS,
            "",
            "标题是\"",
            "根据给定上下文和候选图像，选择合适的配图：{context}\n\n候选图像包括: A.<ImageHere>\nB.<ImageHere>\nC.<ImageHere>\nD.<ImageHere>\n\n",
            "最合适的图是",
            4,
            null);

    private static final List<String> ARTICLE = List.of(
            "This article shows some pictures of red circles.",
            "In the first picture, a small red circle is at the top.",
            "In the second picture, a large red circle {pos}.",
            "These are all the pictures of red circles.");

    @Test
    void writePrompt_isTheTrainedTurn() {
        assertThat(PROMPTS.writePrompt("A Tour of Red Circles"))
                .isEqualTo(" <|User|>:根据给定标题写一个图文并茂，不重复的文章：A Tour of Red Circles\n<eoh> <|Bot|>:");
    }

    @Test
    void spotPrompt_tagsEveryParagraph_andLeavesTheCountEmptyForAuto() {
        String tagged = "<Seg0> " + ARTICLE.get(0) + "\n<Seg1> " + ARTICLE.get(1) + "\n<Seg2> " + ARTICLE.get(2)
                + "\n<Seg3> " + ARTICLE.get(3) + "\n";
        assertThat(PROMPTS.spotPrompt(ARTICLE, null))
                .isEqualTo(" <|User|>:给定文章\"" + tagged + "\" 根据上述文章，选择适合插入图像的行 \n<eoh> <|Bot|>:适合插入图像的行是");
        assertThat(PROMPTS.spotPrompt(ARTICLE, 2)).contains("选择适合插入图像的2行 ");
    }

    @Test
    void captionPrompt_showsTheArticleUpToTheSlot_andEarlierCaptions_withoutFillingPlaceholdersInsideText() {
        Map<Integer, String> previous = new LinkedHashMap<>();
        previous.put(1, "A small red circle at the top.");
        assertThat(PROMPTS.captionPrompt(ARTICLE, 2, previous))
                .isEqualTo(
                        " <|User|>:给定文章\"<Seg0> " + ARTICLE.get(0)
                                + "\n<Seg1> " + ARTICLE.get(1) + "\n<Seg2> " + ARTICLE.get(2)
                                + "\n\" 现在<Seg1>后插入图像对应的标题是\"A small red circle at the top.\"，给出适合在<Seg2>后插入的图像对应的标题。\n<eoh> <|Bot|>:标题是\"");
    }

    @Test
    void selectPrompt_putsEarlierImagesAfterTheirParagraphs_thenFourCandidates() {
        String prompt = PROMPTS.selectPrompt(ARTICLE, 2, List.of(1));
        assertThat(prompt)
                .startsWith(" <|User|>:根据给定上下文和候选图像，选择合适的配图：" + ARTICLE.get(0) + "\n" + ARTICLE.get(1) + "<ImageHere>\n"
                        + ARTICLE.get(2) + "\n\n候选图像包括: A.<ImageHere>")
                .endsWith("D.<ImageHere>\n\n\n<eoh> <|Bot|>:最合适的图是");
        assertThat(prompt.split("<ImageHere>", -1)).hasSize(1 + 1 + 4);
    }

    @Test
    void productionPrompts_areTheSeedsStrings_withoutTheMetaInstruction() throws IOException {
        CompositionPrompts seven =
                CompositionPrompts.fromConfig(ModelConfigFiles.productionLlm().build());
        assertThat(seven.chat().system()).startsWith("meta instruction\n");

        // InternLM-XComposer-1.0/examples/web_demo.py generate_text, generate_loc (shared/reference/xcomposer.md §3)
        assertThat(seven.writePrompt("A Tour of Red Circles"))
                .isEqualTo(" <|User|>:根据给定标题写一个图文并茂，不重复的文章：A Tour of Red Circles\n<TOKENS_UNUSED_0> <|Bot|>:");
        assertThat(seven.spotPrompt(ARTICLE, 2)).startsWith(" <|User|>:给定文章\"<Seg0> ");
        assertThat(seven.selectPrompt(ARTICLE, 1, List.of())).startsWith(" <|User|>:根据给定上下文和候选图像");
        assertThat(seven.instructionPrompt("Rewrite this."))
                .startsWith(seven.chat().system());
    }

    @Test
    void productionCaptionPrompt_writesTheSeedsHistory_oneNowAndAFullStop() throws IOException {
        CompositionPrompts seven =
                CompositionPrompts.fromConfig(ModelConfigFiles.productionLlm().build());
        Map<Integer, String> previous = new LinkedHashMap<>();
        previous.put(0, "Red circles");
        previous.put(1, "A small red circle");

        // web_demo.py generate_cap: pasts = '现在<Seg0>…"a"， <Seg1>…"b"， ', then pasts[:-2] + '。'
        assertThat(seven.captionPrompt(ARTICLE, 2, previous))
                .contains("\" 现在<Seg0>后插入图像对应的标题是\"Red circles\"， <Seg1>后插入图像对应的标题是\"A small red circle\"。"
                        + "给出适合在<Seg2>后插入的图像对应的标题。 \n<TOKENS_UNUSED_0> <|Bot|>: 标题是\"");
        assertThat(seven.captionPrompt(ARTICLE, 2, Map.of()))
                .contains("\n\" 给出适合在<Seg2>后插入的图像对应的标题。 ")
                .doesNotContain("现在");
    }

    @Test
    void textFromUsersNeverOpensAnImageSlot() {
        List<String> article =
                List.of("A <ImageHere>title paragraph.", "In the first picture, <ImageHere>a red circle.");
        int candidates = 4;
        assertThat(PROMPTS.writePrompt("Red <ImageHere>Circles"))
                .doesNotContain("<ImageHere>")
                .contains("Red Circles");
        assertThat(PROMPTS.spotPrompt(article, null)).doesNotContain("<ImageHere>");
        assertThat(PROMPTS.captionPrompt(article, 1, Map.of(0, "A <ImageHere>circle.")))
                .doesNotContain("<ImageHere>");
        assertThat(PROMPTS.instructionPrompt("Rewrite <ImageHere>this.")).doesNotContain("<ImageHere>");
        // Only the earlier slot's image and the candidates remain.
        assertThat(PROMPTS.selectPrompt(article, 1, List.of(0)).split("<ImageHere>", -1))
                .hasSize(1 + 1 + candidates);
    }
}
