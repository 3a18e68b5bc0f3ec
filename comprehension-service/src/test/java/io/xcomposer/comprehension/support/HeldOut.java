package io.xcomposer.comprehension.support;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * Items of the tiny model's held-out evaluation set ({@code model-repository/tiny/eval/heldout.jsonl}): scenes the
 * model never saw in training, with the question and the expected answer.
 */
public record HeldOut(int id, String task, String lang, List<String> questions, List<Path> images, String answer) {

    private static final Pattern USER_TEXT =
            Pattern.compile(" <\\|User\\|>:((?:<ImageHere>)*)(.*?)\\n<eoh>", Pattern.DOTALL);

    /** The first {@code count} items of a task in a language, in file order (a fixed set, not picked by result). */
    public static List<HeldOut> first(String task, String lang, int count) {
        Path eval = TestModelServer.repository().resolve("eval");
        JsonMapper json = JsonMapper.builder().build();
        try (var lines = Files.lines(eval.resolve("heldout.jsonl"))) {
            return lines.map(json::readTree)
                    .filter(item -> item.get("task").asString().equals(task)
                            && item.get("lang").asString().equals(lang))
                    .limit(count)
                    .map(item -> of(item, eval))
                    .toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** A held-out image as a {@code data:} URL. */
    public static String dataUrl(Path image) {
        try {
            return "data:image/png;base64," + Base64.getEncoder().encodeToString(Files.readAllBytes(image));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public static Path image(String name) {
        return TestModelServer.repository().resolve("eval/images").resolve(name);
    }

    private static HeldOut of(JsonNode item, Path eval) {
        Matcher user = USER_TEXT.matcher(item.get("prompt").asString());
        List<String> questions = new ArrayList<>();
        while (user.find()) {
            questions.add(user.group(2));
        }
        List<Path> images = item.get("images")
                .valueStream()
                .map(name -> eval.resolve(name.asString()))
                .toList();
        return new HeldOut(
                item.get("id").asInt(),
                item.get("task").asString(),
                item.get("lang").asString(),
                questions,
                images,
                item.get("answer").asString());
    }
}
