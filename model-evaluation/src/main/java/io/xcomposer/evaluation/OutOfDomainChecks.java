package io.xcomposer.evaluation;

import io.xcomposer.inference.client.error.ContextLengthExceededException;
import io.xcomposer.inference.client.model.ChatTemplate;
import io.xcomposer.inference.client.model.LlmSpec;
import io.xcomposer.inference.client.tensor.Tensor;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import java.util.function.Supplier;
import javax.imageio.ImageIO;

/**
 * Inputs unlike anything the model was trained on. Each must end in a well-formed answer (the stream finishes with
 * {@code stop} or {@code length}, the text is valid UTF-8 without leaked stop strings, and prompt plus completion fit
 * the context) or in the client's clean {@link ContextLengthExceededException}; never another error or a hang (every
 * call runs under {@link ServedModel}'s timeout).
 */
public final class OutOfDomainChecks {

    private static final String WELL_FORMED = "well-formed answer";
    private static final String CONTEXT_ERROR = "ContextLengthExceededException";

    private final ServedModel model;
    private final byte[] sceneImage;
    private final int maxTokens;

    /** {@code sceneImage}: any in-domain PNG, used where a check needs an ordinary image next to odd text. */
    public OutOfDomainChecks(ServedModel model, byte[] sceneImage, int maxTokens) {
        this.model = model;
        this.sceneImage = sceneImage;
        this.maxTokens = maxTokens;
    }

    public List<OutOfDomainResult> run() {
        LlmSpec llm = model.llm();
        ChatTemplate template = llm.template();
        int contextLength = llm.contextLength();
        List<OutOfDomainResult> results = new ArrayList<>();
        results.add(answer(
                "photograph-like 300x200 JPEG (noise + gradient), caption question",
                () -> generate(template.firstTurn("Describe the image.", 1), List.of(photographLikeJpeg()))));
        results.add(answer(
                "emoji-only prompt, no image", () -> generate(template.firstTurn("😀🎨🚀🌈🔺🔵", 0), List.of())));
        results.add(answer(
                "mixed-script prompt with an image",
                () -> generate(
                        template.firstTurn("Describe 这张 картинку, s'il vous plaît 😀 ما هذا؟ 한글 ελληνικά", 1),
                        List.of(sceneImage))));
        // A digit is one token (contract: every non-letter code point is its own piece), so the prompt length is
        // controlled exactly: this one leaves room for only a few completion tokens, which the server must clip.
        results.add(answer(
                "prompt filling the context (" + (contextLength - 16) + " digits), max_tokens clipped",
                () -> generate(template.firstTurn("7".repeat(contextLength - 16), 0), List.of())));
        results.add(contextError(
                "prompt longer than the context (" + (contextLength + 100) + " digits)",
                () -> generate(template.firstTurn("7".repeat(contextLength + 100), 0), List.of())));
        int tooManyImages = contextLength / llm.imageTokens() + 1;
        results.add(contextError(
                tooManyImages + " images (" + tooManyImages * llm.imageTokens() + " image tokens > context "
                        + contextLength + ")",
                () -> generate(
                        template.firstTurn("Which image shows a red circle?", tooManyImages),
                        Collections.nCopies(tooManyImages, sceneImage))));
        return results;
    }

    private Generation generate(String prompt, List<byte[]> images) {
        List<Tensor> embeds = images.isEmpty() ? List.of() : model.encodeImages(images);
        return model.generate(prompt, embeds, maxTokens);
    }

    private OutOfDomainResult answer(String check, Supplier<Generation> call) {
        try {
            Generation g = call.get();
            String problem = problemWith(g);
            return new OutOfDomainResult(
                    check, WELL_FORMED, describe(g) + (problem == null ? "" : " — " + problem), problem == null);
        } catch (RuntimeException e) {
            return new OutOfDomainResult(check, WELL_FORMED, failure(e), false);
        }
    }

    private OutOfDomainResult contextError(String check, Supplier<Generation> call) {
        try {
            Generation g = call.get();
            return new OutOfDomainResult(check, CONTEXT_ERROR, "answered instead: " + describe(g), false);
        } catch (ContextLengthExceededException e) {
            return new OutOfDomainResult(
                    check, CONTEXT_ERROR, "ContextLengthExceededException: " + e.getMessage(), true);
        } catch (RuntimeException e) {
            return new OutOfDomainResult(check, CONTEXT_ERROR, failure(e), false);
        }
    }

    private String problemWith(Generation g) {
        if (!"stop".equals(g.finishReason()) && !"length".equals(g.finishReason())) {
            return "finish reason " + g.finishReason();
        }
        if (g.text().indexOf('\uFFFD') >= 0) {
            return "text holds U+FFFD (broken UTF-8)";
        }
        if (model.llm().stopStrings().stream().anyMatch(g.text()::contains)) {
            return "a stop string leaked into the text";
        }
        if (g.promptTokens() + g.completionTokens() > model.llm().contextLength()) {
            return "prompt + completion exceed the context";
        }
        return null;
    }

    private static String describe(Generation g) {
        String text = g.text().strip().replace("\n", "⏎").replace("|", "\\|");
        String shown = text.codePointCount(0, text.length()) > 60
                ? text.substring(0, text.offsetByCodePoints(0, 60)) + "…"
                : text;
        return g.finishReason() + ", " + g.promptTokens() + "+" + g.completionTokens() + " tokens: \"" + shown + "\"";
    }

    private static String failure(RuntimeException e) {
        return e.getClass().getSimpleName() + ": " + e.getMessage();
    }

    /** Smooth colour gradients under per-pixel noise: nothing like the flat synthetic scenes, and not square. */
    static byte[] photographLikeJpeg() {
        int width = 300;
        int height = 200;
        BufferedImage image = new BufferedImage(width, height, BufferedImage.TYPE_INT_RGB);
        Random random = new Random(11);
        for (int y = 0; y < height; y++) {
            for (int x = 0; x < width; x++) {
                int r = clamp(x * 255 / width + random.nextInt(61) - 30);
                int g = clamp(y * 255 / height + random.nextInt(61) - 30);
                int b = clamp(128 + (int) (60 * Math.sin(x / 17.0 + y / 23.0)) + random.nextInt(61) - 30);
                image.setRGB(x, y, (r << 16) | (g << 8) | b);
            }
        }
        try (ByteArrayOutputStream out = new ByteArrayOutputStream()) {
            if (!ImageIO.write(image, "jpeg", out)) {
                throw new IllegalStateException("no JPEG writer");
            }
            return out.toByteArray();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static int clamp(int value) {
        return Math.max(0, Math.min(255, value));
    }
}
