package io.xcomposer.composition.compose;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Splits a streamed article into paragraphs as it arrives, the seed's way: blank lines collapse, each line is a
 * paragraph, at most {@code max} are kept. Not thread-safe; one generation feeds it in order.
 */
final class ParagraphCollector {

    private final int max;

    private final List<String> paragraphs = new ArrayList<>();

    private final StringBuilder line = new StringBuilder();

    ParagraphCollector(int max) {
        this.max = max;
    }

    /** Feeds a text delta; returns the paragraphs it completed. */
    List<String> accept(String delta) {
        List<String> completed = new ArrayList<>();
        for (int i = 0; i < delta.length() && !full(); i++) {
            char c = delta.charAt(i);
            if (c == '\n') {
                finishLine().ifPresent(completed::add);
            } else {
                this.line.append(c);
            }
        }
        return completed;
    }

    /** Ends the article: the unfinished last line, if any, becomes a paragraph. */
    Optional<String> finish() {
        return full() ? Optional.empty() : finishLine();
    }

    /** The index of the paragraph being written. */
    int current() {
        return this.paragraphs.size();
    }

    boolean full() {
        return this.paragraphs.size() >= this.max;
    }

    List<String> paragraphs() {
        return List.copyOf(this.paragraphs);
    }

    private Optional<String> finishLine() {
        String text = this.line.toString().strip();
        this.line.setLength(0);
        if (text.isEmpty()) {
            return Optional.empty();
        }
        this.paragraphs.add(text);
        return Optional.of(text);
    }
}
