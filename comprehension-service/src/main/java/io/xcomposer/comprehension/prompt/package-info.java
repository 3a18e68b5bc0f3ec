/** Prompt building: the model's chat template, history trimming to the context, token estimates. */
@NullMarked
package io.xcomposer.comprehension.prompt;

import org.jspecify.annotations.NullMarked;
