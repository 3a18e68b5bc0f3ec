package io.xcomposer.inference.server.generation;

import io.xcomposer.inference.client.generation.TokenLogprob;
import io.xcomposer.inference.server.tokenizer.Tokenizer;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;

/**
 * Keeps each sampled token's log-probability until the text it decoded to is sent, so that every response carries
 * the tokens of its own text even though the stop-string filter holds text back. A token is due once the text sent
 * so far reaches the end of its text; at the end, a token the stop cut into is due too, and the ones wholly in the
 * cut-off stop string are dropped (so the tokens spell the answer, as OpenAI's do).
 */
final class LogprobTrail {

    private final Tokenizer tokenizer;
    private final Deque<Pending> pending = new ArrayDeque<>();
    private long decodedChars;
    private long sentChars;

    LogprobTrail(Tokenizer tokenizer) {
        this.tokenizer = tokenizer;
    }

    /** A sampled token that decoded to {@code decoded} (possibly empty: part of a UTF-8 character). */
    void add(Sampler.Choice choice, String decoded) {
        long start = decodedChars;
        decodedChars += decoded.length();
        pending.add(new Pending(entry(choice), start, decodedChars));
    }

    /** The tokens due now that {@code sent} more text went out. */
    List<TokenLogprob> sent(String sent) {
        sentChars += sent.length();
        List<TokenLogprob> due = new ArrayList<>();
        while (!pending.isEmpty() && pending.peekFirst().end() <= sentChars) {
            due.add(pending.removeFirst().entry());
        }
        return due;
    }

    /** The tokens of the final text: every token that began before its end, or whose text is within it. */
    List<TokenLogprob> finished(String text) {
        sentChars += text.length();
        List<TokenLogprob> due = new ArrayList<>();
        while (!pending.isEmpty()
                && (pending.peekFirst().start() < sentChars
                        || pending.peekFirst().end() <= sentChars)) {
            due.add(pending.removeFirst().entry());
        }
        pending.clear();
        return due;
    }

    private TokenLogprob entry(Sampler.Choice choice) {
        List<TokenLogprob.Alternative> top = new ArrayList<>(choice.topIds().length);
        for (int rank = 0; rank < choice.topIds().length; rank++) {
            top.add(new TokenLogprob.Alternative(
                    tokenizer.tokenBytes(choice.topIds()[rank]), choice.topLogprobs()[rank]));
        }
        return new TokenLogprob(tokenizer.tokenBytes(choice.token()), choice.logprob(), top);
    }

    private record Pending(TokenLogprob entry, long start, long end) {}
}
