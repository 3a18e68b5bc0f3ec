/**
 * Text generation on the decoupled {@code llm} model: the request and sampling records, the streamed chunk, and the
 * mapping to and from the contract's llm tensors.
 */
@NullMarked
package io.xcomposer.inference.client.generation;

import org.jspecify.annotations.NullMarked;
