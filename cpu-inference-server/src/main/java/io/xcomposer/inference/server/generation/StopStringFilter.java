package io.xcomposer.inference.server.generation;

import java.util.List;

/**
 * Keeps stop strings out of the streamed text. Text that could still turn out to be the start of a stop string
 * is held back until the next delta decides it; the text of a stop string itself is never emitted.
 */
final class StopStringFilter {

    private final List<String> stopStrings;
    private final StringBuilder held = new StringBuilder();
    private boolean stopped;

    StopStringFilter(List<String> stopStrings) {
        this.stopStrings =
                stopStrings.stream().filter(stop -> !stop.isEmpty()).distinct().toList();
    }

    /** @return the text that is safe to emit after appending {@code delta}. */
    String accept(String delta) {
        if (stopped) {
            return "";
        }
        held.append(delta);
        int stopAt = earliestStop();
        if (stopAt >= 0) {
            stopped = true;
            String before = held.substring(0, stopAt);
            held.setLength(0);
            return before;
        }
        int emitUpTo = held.length() - longestSuffixThatStartsAStop();
        if (emitUpTo > 0 && Character.isHighSurrogate(held.charAt(emitUpTo - 1))) {
            emitUpTo--;
        }
        String emitted = held.substring(0, emitUpTo);
        held.delete(0, emitUpTo);
        return emitted;
    }

    /** @return the held-back text, for a generation that ended without reaching a stop string. */
    String flush() {
        String rest = held.toString();
        held.setLength(0);
        return rest;
    }

    boolean stopped() {
        return stopped;
    }

    private int earliestStop() {
        int earliest = -1;
        for (String stop : stopStrings) {
            int index = held.indexOf(stop);
            if (index >= 0 && (earliest < 0 || index < earliest)) {
                earliest = index;
            }
        }
        return earliest;
    }

    private int longestSuffixThatStartsAStop() {
        int longest = 0;
        for (String stop : stopStrings) {
            for (int length = Math.min(stop.length() - 1, held.length()); length > longest; length--) {
                if (stop.startsWith(held.substring(held.length() - length))) {
                    longest = length;
                    break;
                }
            }
        }
        return longest;
    }
}
