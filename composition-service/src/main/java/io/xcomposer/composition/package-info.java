/** composition-service: title → illustrated article, streamed and resumable, with editing operations. */
@NullMarked
package io.xcomposer.composition;

import org.jspecify.annotations.NullMarked;
