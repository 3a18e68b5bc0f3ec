package io.xcomposer.comprehension.chat;

import static org.assertj.core.api.Assertions.assertThat;

import io.xcomposer.comprehension.config.ComprehensionProperties;
import io.xcomposer.comprehension.prompt.ImageAnchors;
import io.xcomposer.comprehension.support.TinySpecs;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.springframework.util.unit.DataSize;
import tools.jackson.databind.json.JsonMapper;

/** Where a user message's images go: before its text, or in place when the message interleaves them. */
class ChatRequestParserTests {

    private static final char A = ImageAnchors.ANCHOR;

    private final ChatRequestParser parser = new ChatRequestParser(
            new ComprehensionProperties(
                    "xcomposer",
                    "llm",
                    "vision_encoder",
                    Duration.ofSeconds(120),
                    Duration.ofSeconds(30),
                    Duration.ofSeconds(15),
                    8,
                    DataSize.ofMegabytes(20),
                    40_000_000,
                    4),
            TinySpecs.withContext(512));

    @Test
    void imagesBeforeOrAfterTheTextCarryNoAnchor() {
        assertThat(lastTurn("[{'role':'user','content':[%s,{'type':'text','text':'What is this?'}]}]", image(1))
                        .text())
                .isEqualTo("What is this?");
        assertThat(lastTurn(
                                "[{'role':'user','content':[{'type':'text','text':'What is this?'},%s,%s]}]",
                                image(1), image(2))
                        .text())
                .isEqualTo("What is this?");
    }

    @Test
    void imagesBetweenTextPartsAreAnchoredInPlace() {
        ChatCommand.Turn turn = lastTurn(
                "[{'role':'user','content':[{'type':'text','text':'Which shows a star?\\nA.'},%s,"
                        + "{'type':'text','text':'\\nB.'},%s]}]",
                image(1), image(2));

        assertThat(turn.text()).isEqualTo("Which shows a star?\nA." + A + "\nB." + A);
        assertThat(turn.images()).hasSize(2);
    }

    @Test
    void anAnchorTypedByTheUserIsRemoved() {
        assertThat(lastTurn("[{'role':'user','content':'Odd " + A + "text'}]").text())
                .isEqualTo("Odd text");
    }

    @Test
    void mergedMessagesKeepEveryImageInPlaceOnceOneInterleaves() {
        ChatCommand.Turn turn = lastTurn(
                "[{'role':'user','content':[%s,{'type':'text','text':'Remember this one.'}]},"
                        + "{'role':'user','content':[{'type':'text','text':'Now: A.'},%s,{'type':'text','text':' B.'},%s]}]",
                image(1), image(2), image(3));

        assertThat(turn.text()).isEqualTo(A + "Remember this one.\nNow: A." + A + " B." + A);
        assertThat(turn.images()).extracting(ChatCommand.ImagePart::url).containsExactly("img_1", "img_2", "img_3");
    }

    private ChatCommand.Turn lastTurn(String messages, Object... images) {
        String json = ("{'messages':" + messages.formatted(images) + "}").replace('\'', '"');
        ChatCompletionRequest request = JsonMapper.builder().build().readValue(json, ChatCompletionRequest.class);
        List<ChatCommand.Turn> turns = this.parser.parse(request).turns();
        return turns.get(turns.size() - 1);
    }

    private static String image(int n) {
        return "{'type':'image_url','image_url':{'url':'img_" + n + "'}}";
    }
}
