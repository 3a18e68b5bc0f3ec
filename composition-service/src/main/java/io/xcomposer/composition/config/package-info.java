/** Configuration of the composition service. */
@NullMarked
package io.xcomposer.composition.config;

import org.jspecify.annotations.NullMarked;
