package io.xcomposer.inference.server.tokenizer;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TokenizerTests {

    static final Path FIXTURE = Path.of("src/test/resources/fixture-repo/llm/1/tokenizer.json");

    private final Tokenizer tokenizer = Tokenizer.load(FIXTURE);

    @Test
    void encode_wordsWithAndWithoutLeadingSpace() {
        assertThat(pieces("hello world")).containsExactly("hello", " world");
        assertThat(pieces(" hello the cat")).containsExactly(" hello", " the", " cat");
        assertThat(pieces("Hello")).containsExactly("Hello");
    }

    @Test
    void encode_spacesNotBeforeALetterAreSinglePieces() {
        assertThat(pieces("a  hello")).containsExactly("a", " ", " hello");
        assertThat(pieces("a 1")).containsExactly("a", " ", "1");
        assertThat(pieces("hello\n")).containsExactly("hello", "\n");
    }

    @Test
    void encode_unknownWordFallsBackToItsUtf8Bytes() {
        assertThat(pieces(" dog")).containsExactly("<0x20>", "<0x64>", "<0x6F>", "<0x67>");
        assertThat(pieces("hellos")).containsExactly("<0x68>", "<0x65>", "<0x6C>", "<0x6C>", "<0x6F>", "<0x73>");
    }

    @Test
    void encode_chineseCharactersArePiecesOrBytes() {
        assertThat(pieces("你好")).containsExactly("你", "好");
        assertThat(pieces("你们")).containsExactly("你", "<0xE4>", "<0xBB>", "<0xAC>");
    }

    @Test
    void encode_emojiUsesByteFallback() {
        assertThat(pieces("😀")).containsExactly("<0xF0>", "<0x9F>", "<0x98>", "<0x80>");
    }

    @Test
    void encode_specialsAreCutOutFirstAndAreOneTokenEach() {
        assertThat(pieces("<s> <|User|>:hello<eoh>\n"))
                .containsExactly("<s>", " ", "<|User|>", ":", "hello", "<eoh>", "\n");
        // A special splits a letter run: "hello" and "world" are separate runs around it.
        assertThat(pieces("hello<eoa>world"))
                .containsExactly("hello", "<eoa>", "<0x77>", "<0x6F>", "<0x72>", "<0x6C>", "<0x64>");
    }

    @Test
    void encode_longestSpecialWinsAtOnePositionAndLeftmostFirst(@TempDir Path dir) throws IOException {
        Path json = dir.resolve("tokenizer.json");
        List<String> pieces = new ArrayList<>(List.of("<pad>", "<s>", "</s>", "<a>", "<a><b>", "<b>"));
        IntStream.range(0, 256).forEach(value -> pieces.add(String.format("<0x%02X>", value)));
        Files.writeString(
                json,
                "{\"type\":\"xcomposer-tiny-bytes\",\"version\":1,\"pieces\":"
                        + toJson(pieces) + ",\"special\":[\"<a>\",\"<a><b>\",\"<b>\"],"
                        + "\"pad\":\"<pad>\",\"bos\":\"<s>\",\"eos\":\"</s>\",\"image_token\":\"<a>\"}");
        Tokenizer custom = Tokenizer.load(json);

        assertThat(names(custom, custom.encode("<a><b><b><a>"))).containsExactly("<a><b>", "<b>", "<a>");
    }

    @Test
    void decode_isTheInverseOfEncode() {
        String text = "<s> <|User|>:你们好 hello 😀 dogs!\n<eoa>";
        assertThat(tokenizer.decode(tokenizer.encode(text))).isEqualTo(text);
    }

    @Test
    void decode_malformedBytesBecomeReplacementCharacters() {
        int[] ids = {byteId(0xE4), byteId(0xBB), id("hello"), byteId(0xFF)};
        assertThat(tokenizer.decode(ids)).isEqualTo("\uFFFDhello\uFFFD");
    }

    @Test
    void streamDecoder_emitsOnlyCompleteCharacters() {
        StreamDecoder decoder = tokenizer.newStreamDecoder();
        byte[] emoji = "😀".getBytes(StandardCharsets.UTF_8);

        assertThat(decoder.next(byteId(emoji[0] & 0xFF))).isEmpty();
        assertThat(decoder.next(byteId(emoji[1] & 0xFF))).isEmpty();
        assertThat(decoder.next(byteId(emoji[2] & 0xFF))).isEmpty();
        assertThat(decoder.next(byteId(emoji[3] & 0xFF))).isEqualTo("😀");
        assertThat(decoder.next(id(" world"))).isEqualTo(" world");
    }

    @Test
    void streamDecoder_concatenationEqualsWholeDecode() {
        String text = "你们 hello😀€ dogs 你好";
        int[] ids = tokenizer.encode(text);
        StreamDecoder decoder = tokenizer.newStreamDecoder();
        StringBuilder streamed = new StringBuilder();
        for (int tokenId : ids) {
            String delta = decoder.next(tokenId);
            assertThat(delta.isEmpty() || !Character.isHighSurrogate(delta.charAt(delta.length() - 1)))
                    .isTrue();
            streamed.append(delta);
        }
        assertThat(streamed.append(decoder.flush()).toString())
                .isEqualTo(tokenizer.decode(ids))
                .isEqualTo(text);
    }

    private List<String> pieces(String text) {
        return names(tokenizer, tokenizer.encode(text));
    }

    private static List<String> names(Tokenizer tokenizer, int[] ids) {
        return Arrays.stream(ids).mapToObj(tokenizer::piece).toList();
    }

    private int id(String piece) {
        return IntStream.range(0, tokenizer.vocabularySize())
                .filter(i -> tokenizer.piece(i).equals(piece))
                .findFirst()
                .orElseThrow();
    }

    private int byteId(int value) {
        return id(String.format("<0x%02X>", value));
    }

    private static String toJson(List<String> values) {
        return values.stream()
                .map(value -> "\"" + value + "\"")
                .collect(java.util.stream.Collectors.joining(",", "[", "]"));
    }
}
