/** The OpenAI-compatible chat completions endpoint: request parsing, the chat flow, response shaping. */
@NullMarked
package io.xcomposer.comprehension.chat;

import org.jspecify.annotations.NullMarked;
