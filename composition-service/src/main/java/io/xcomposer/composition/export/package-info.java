/** The finished article as Markdown and as a zip with its images. */
@NullMarked
package io.xcomposer.composition.export;

import org.jspecify.annotations.NullMarked;
