/** The tiny model's byte-fallback tokenizer and UTF-8-safe streaming detokenizer. */
@NullMarked
package io.xcomposer.inference.server.tokenizer;

import org.jspecify.annotations.NullMarked;
