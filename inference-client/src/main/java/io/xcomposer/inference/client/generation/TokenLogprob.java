package io.xcomposer.inference.client.generation;

import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * One generated token's log-probability and, when asked, its most likely alternatives (contract outputs
 * {@code token_bytes}, {@code token_logprobs}, {@code top_token_bytes}, {@code top_logprobs}).
 *
 * @param bytes the token's bytes; a byte-fallback token holds part of a UTF-8 character
 * @param logprob natural log of its probability, after the penalties, before temperature and truncation
 * @param top the alternatives, most likely first (the chosen token among them when it ranks that high)
 */
public record TokenLogprob(byte[] bytes, float logprob, List<Alternative> top) {

    public TokenLogprob {
        top = List.copyOf(top);
    }

    /** The bytes as text; a partial UTF-8 character shows as U+FFFD (the {@code bytes} keep it exact). */
    public String token() {
        return new String(this.bytes, StandardCharsets.UTF_8);
    }

    /** One alternative of a token. */
    public record Alternative(byte[] bytes, float logprob) {

        public String token() {
            return new String(this.bytes, StandardCharsets.UTF_8);
        }
    }
}
