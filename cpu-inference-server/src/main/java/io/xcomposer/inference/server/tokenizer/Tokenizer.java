package io.xcomposer.inference.server.tokenizer;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.jspecify.annotations.Nullable;
import tools.jackson.databind.json.JsonMapper;

/**
 * The tiny model's tokenizer, exactly as docs/model-contract.md specifies: special strings are cut out first
 * (leftmost match, longest at one position), the rest is split into pieces (a space plus an ASCII-letter run,
 * an ASCII-letter run, or any other single code point), and pieces missing from the vocabulary fall back to their
 * UTF-8 bytes as {@code <0xNN>} tokens.
 */
public final class Tokenizer {

    static final String SUPPORTED_TYPE = "xcomposer-tiny-bytes";

    private final List<String> pieces;
    private final Map<String, Integer> idsByPiece = new HashMap<>();
    /** Special strings, longest first, so the first match at a position is the longest one. */
    private final List<String> specials;

    private final int[] byteTokenIds = new int[256];
    /** For each id, the byte it stands for, or -1 for a piece token. */
    private final int[] byteValueById;

    private final int padId;
    private final int bosId;
    private final int eosId;

    private Tokenizer(TokenizerSpec spec) {
        if (!SUPPORTED_TYPE.equals(spec.type())) {
            throw new IllegalArgumentException("tokenizer type '" + spec.type() + "' is not " + SUPPORTED_TYPE);
        }
        this.pieces = List.copyOf(spec.pieces());
        for (int id = 0; id < pieces.size(); id++) {
            idsByPiece.putIfAbsent(pieces.get(id), id);
        }
        this.specials = spec.special().stream()
                .sorted(Comparator.comparingInt(String::length).reversed())
                .toList();
        this.byteValueById = new int[pieces.size()];
        Arrays.fill(byteValueById, -1);
        for (int value = 0; value < 256; value++) {
            int id = requireId(String.format("<0x%02X>", value));
            byteTokenIds[value] = id;
            byteValueById[id] = value;
        }
        this.padId = requireId(spec.pad());
        this.bosId = requireId(spec.bos());
        this.eosId = requireId(spec.eos());
        specials.forEach(this::requireId);
    }

    public static Tokenizer load(Path tokenizerJson) {
        return new Tokenizer(JsonMapper.builder().build().readValue(tokenizerJson.toFile(), TokenizerSpec.class));
    }

    public int[] encode(String text) {
        TokenSink tokens = new TokenSink();
        int segmentStart = 0;
        int position = 0;
        while (position < text.length()) {
            String special = specialAt(text, position);
            if (special == null) {
                position++;
                continue;
            }
            encodeOrdinary(text.substring(segmentStart, position), tokens);
            tokens.add(idsByPiece.get(special));
            position += special.length();
            segmentStart = position;
        }
        encodeOrdinary(text.substring(segmentStart), tokens);
        return tokens.toArray();
    }

    public String decode(int[] ids) {
        StreamDecoder decoder = newStreamDecoder();
        StringBuilder text = new StringBuilder();
        for (int id : ids) {
            text.append(decoder.next(id));
        }
        return text.append(decoder.flush()).toString();
    }

    public StreamDecoder newStreamDecoder() {
        return new StreamDecoder(this);
    }

    public int vocabularySize() {
        return pieces.size();
    }

    public int padId() {
        return padId;
    }

    public int bosId() {
        return bosId;
    }

    public int eosId() {
        return eosId;
    }

    /** The bytes of one token: its piece as UTF-8, or the single byte of a byte-fallback token. */
    public byte[] tokenBytes(int id) {
        int value = byteValueById[id];
        return value >= 0
                ? new byte[] {(byte) value}
                : pieces.get(id).getBytes(java.nio.charset.StandardCharsets.UTF_8);
    }

    /** The byte a byte-fallback token stands for, or -1 when {@code id} is a piece. */
    int byteValue(int id) {
        return byteValueById[id];
    }

    String piece(int id) {
        return pieces.get(id);
    }

    private @Nullable String specialAt(String text, int position) {
        for (String special : specials) {
            if (text.startsWith(special, position)) {
                return special;
            }
        }
        return null;
    }

    private void encodeOrdinary(String text, TokenSink tokens) {
        int position = 0;
        while (position < text.length()) {
            int end = pieceEnd(text, position);
            String piece = text.substring(position, end);
            Integer id = idsByPiece.get(piece);
            if (id != null) {
                tokens.add(id);
            } else {
                for (byte value : piece.getBytes(StandardCharsets.UTF_8)) {
                    tokens.add(byteTokenIds[value & 0xFF]);
                }
            }
            position = end;
        }
    }

    private static int pieceEnd(String text, int start) {
        char first = text.charAt(start);
        if (first == ' ' && start + 1 < text.length() && isAsciiLetter(text.charAt(start + 1))) {
            return letterRunEnd(text, start + 1);
        }
        if (isAsciiLetter(first)) {
            return letterRunEnd(text, start);
        }
        return start + Character.charCount(text.codePointAt(start));
    }

    private static int letterRunEnd(String text, int start) {
        int end = start;
        while (end < text.length() && isAsciiLetter(text.charAt(end))) {
            end++;
        }
        return end;
    }

    private static boolean isAsciiLetter(char c) {
        return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z');
    }

    private int requireId(String piece) {
        Integer id = idsByPiece.get(piece);
        if (id == null) {
            throw new IllegalArgumentException("tokenizer has no piece '" + piece + "'");
        }
        return id;
    }

    /** A growable int list, to avoid boxing every token. */
    private static final class TokenSink {
        private int[] ids = new int[64];
        private int size;

        void add(int id) {
            if (size == ids.length) {
                ids = Arrays.copyOf(ids, size * 2);
            }
            ids[size++] = id;
        }

        int[] toArray() {
            return Arrays.copyOf(ids, size);
        }
    }
}
