/** The decoupled LLM: prompt splicing, the KV-cached decoding loop, sampling and stop strings. */
@NullMarked
package io.xcomposer.inference.server.generation;

import org.jspecify.annotations.NullMarked;
