/** Flow control: bounded concurrency and queue in front of the model server. */
@NullMarked
package io.xcomposer.comprehension.flow;

import org.jspecify.annotations.NullMarked;
