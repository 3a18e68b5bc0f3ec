/** What the service serves, as the model repository describes it. */
@NullMarked
package io.xcomposer.comprehension.catalog;

import org.jspecify.annotations.NullMarked;
