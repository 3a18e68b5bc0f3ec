/** Configuration records ({@code xcomposer.comprehension.*}) and the start-up read of the model specs. */
@NullMarked
package io.xcomposer.comprehension.config;

import org.jspecify.annotations.NullMarked;
