package io.xcomposer.inference.server.tokenizer;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;

/**
 * Turns a token stream into text that only ever contains complete UTF-8 characters: byte-fallback tokens are
 * collected until they form whole characters; a piece token (or {@link #flush()}) ends a byte run, decoding any
 * incomplete remainder as U+FFFD, exactly as decoding the whole sequence at once would.
 */
public final class StreamDecoder {

    private final Tokenizer tokenizer;
    private final ByteArrayOutputStream pendingBytes = new ByteArrayOutputStream();

    StreamDecoder(Tokenizer tokenizer) {
        this.tokenizer = tokenizer;
    }

    /** @return the text completed by this token, possibly empty. */
    public String next(int id) {
        int byteValue = tokenizer.byteValue(id);
        if (byteValue < 0) {
            return flush() + tokenizer.piece(id);
        }
        pendingBytes.write(byteValue);
        byte[] bytes = pendingBytes.toByteArray();
        int complete = completePrefixLength(bytes);
        pendingBytes.reset();
        pendingBytes.write(bytes, complete, bytes.length - complete);
        return new String(bytes, 0, complete, StandardCharsets.UTF_8);
    }

    /** @return the text of bytes still held, with an incomplete sequence replaced by U+FFFD. */
    public String flush() {
        String text = pendingBytes.toString(StandardCharsets.UTF_8);
        pendingBytes.reset();
        return text;
    }

    /**
     * Length of the longest prefix that ends on a character boundary. Only a trailing sequence that may still
     * become a valid character is held back; malformed bytes count as complete (they decode to U+FFFD now).
     */
    static int completePrefixLength(byte[] bytes) {
        int position = 0;
        while (position < bytes.length) {
            int length = sequenceLength(bytes[position] & 0xFF);
            if (length == 1) {
                position++;
                continue;
            }
            int available = 1;
            while (available < length
                    && position + available < bytes.length
                    && isContinuation(bytes[position + available])) {
                available++;
            }
            if (available < length && position + available == bytes.length) {
                return position;
            }
            position += available;
        }
        return position;
    }

    /** Bytes a sequence starting with {@code lead} should have; 1 for ASCII and for bytes that cannot lead. */
    private static int sequenceLength(int lead) {
        if (lead >= 0xC2 && lead <= 0xDF) {
            return 2;
        }
        if (lead >= 0xE0 && lead <= 0xEF) {
            return 3;
        }
        if (lead >= 0xF0 && lead <= 0xF4) {
            return 4;
        }
        return 1;
    }

    private static boolean isContinuation(byte value) {
        return (value & 0xC0) == 0x80;
    }
}
