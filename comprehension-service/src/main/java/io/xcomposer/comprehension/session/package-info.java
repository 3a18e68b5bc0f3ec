/** Conversations (chat sessions) stored in Redis. */
@NullMarked
package io.xcomposer.comprehension.session;

import org.jspecify.annotations.NullMarked;
