/** Editing a finished article: re-search, choose, delete, add and insert images; rewrite a paragraph. */
@NullMarked
package io.xcomposer.composition.editing;

import org.jspecify.annotations.NullMarked;
