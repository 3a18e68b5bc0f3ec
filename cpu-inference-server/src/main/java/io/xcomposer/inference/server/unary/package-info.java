/** Unary (ModelInfer) models: validation, execution and dynamic batching. */
@NullMarked
package io.xcomposer.inference.server.unary;

import org.jspecify.annotations.NullMarked;
