/**
 * The model side of composition: the seed's prompts read from the llm's {@code ModelConfig}, the llm and vision
 * encoder calls, and the parsing of the model's answers.
 */
@NullMarked
package io.xcomposer.composition.model;

import org.jspecify.annotations.NullMarked;
