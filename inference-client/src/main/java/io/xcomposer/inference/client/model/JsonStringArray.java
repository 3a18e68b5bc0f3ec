package io.xcomposer.inference.client.model;

import java.util.ArrayList;
import java.util.List;

/**
 * Parses a JSON array of strings such as {@code ["<eoa>","</s>"]}. The library needs JSON for this one parameter
 * only, so it does not pull in a JSON library that would clash with the services' Jackson 3.
 */
final class JsonStringArray {

    private final String text;

    private int position;

    private JsonStringArray(String text) {
        this.text = text;
    }

    /** @throws IllegalArgumentException describing the first problem and where it is */
    static List<String> parse(String text) {
        return new JsonStringArray(text).array();
    }

    private List<String> array() {
        List<String> values = new ArrayList<>();
        expect('[');
        skipWhitespace();
        if (peek() == ']') {
            this.position++;
        } else {
            while (true) {
                skipWhitespace();
                values.add(string());
                skipWhitespace();
                char next = next();
                if (next == ']') {
                    break;
                }
                if (next != ',') {
                    throw error("expected ',' or ']'");
                }
            }
        }
        skipWhitespace();
        if (this.position != this.text.length()) {
            throw error("unexpected text after the array");
        }
        return List.copyOf(values);
    }

    private String string() {
        expect('"');
        StringBuilder value = new StringBuilder();
        while (true) {
            char c = next();
            if (c == '"') {
                return value.toString();
            }
            if (c != '\\') {
                value.append(c);
                continue;
            }
            char escaped = next();
            switch (escaped) {
                case '"', '\\', '/' -> value.append(escaped);
                case 'b' -> value.append('\b');
                case 'f' -> value.append('\f');
                case 'n' -> value.append('\n');
                case 'r' -> value.append('\r');
                case 't' -> value.append('\t');
                case 'u' -> value.append(unicodeEscape());
                default -> throw error("unknown escape \\" + escaped);
            }
        }
    }

    private char unicodeEscape() {
        if (this.position + 4 > this.text.length()) {
            throw error("truncated \\u escape");
        }
        String hex = this.text.substring(this.position, this.position + 4);
        this.position += 4;
        try {
            return (char) Integer.parseInt(hex, 16);
        } catch (NumberFormatException notHex) {
            throw error("bad \\u escape '" + hex + "'");
        }
    }

    private void expect(char expected) {
        skipWhitespace();
        if (next() != expected) {
            throw error("expected '" + expected + "'");
        }
    }

    private void skipWhitespace() {
        while (this.position < this.text.length() && Character.isWhitespace(this.text.charAt(this.position))) {
            this.position++;
        }
    }

    private char peek() {
        if (this.position >= this.text.length()) {
            throw error("unexpected end");
        }
        return this.text.charAt(this.position);
    }

    private char next() {
        char c = peek();
        this.position++;
        return c;
    }

    private IllegalArgumentException error(String problem) {
        return new IllegalArgumentException(problem + " at offset " + this.position);
    }
}
