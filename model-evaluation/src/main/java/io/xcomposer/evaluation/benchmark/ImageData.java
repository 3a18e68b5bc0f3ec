package io.xcomposer.evaluation.benchmark;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;
import java.util.Locale;

/** Images as the {@code data:} URLs an OpenAI-compatible chat request carries. */
final class ImageData {

    private ImageData() {}

    /** A base64 image cell of a TSV or JSONL (PNG, JPEG, GIF or WebP, told apart by their first bytes). */
    static String fromBase64(String base64) {
        String clean = base64.strip();
        if (clean.startsWith("data:")) {
            return clean;
        }
        byte[] head = Base64.getMimeDecoder().decode(clean.substring(0, Math.min(clean.length(), 64)));
        return "data:" + mediaType(head) + ";base64," + clean.replaceAll("\\s", "");
    }

    static String fromFile(Path file) throws IOException {
        byte[] bytes = Files.readAllBytes(file);
        return "data:" + mediaType(bytes) + ";base64," + Base64.getEncoder().encodeToString(bytes);
    }

    private static String mediaType(byte[] head) {
        if (head.length >= 3 && (head[0] & 0xff) == 0xff && (head[1] & 0xff) == 0xd8) {
            return "image/jpeg";
        }
        if (head.length >= 4 && head[0] == 'G' && head[1] == 'I' && head[2] == 'F') {
            return "image/gif";
        }
        if (head.length >= 12
                && new String(head, 8, 4, java.nio.charset.StandardCharsets.US_ASCII)
                        .toUpperCase(Locale.ROOT)
                        .equals("WEBP")) {
            return "image/webp";
        }
        return "image/png";
    }
}
