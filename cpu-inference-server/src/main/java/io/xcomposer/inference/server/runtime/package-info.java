/**
 * What the repository and the model kinds share: a loaded {@link io.xcomposer.inference.server.runtime.ServedModel},
 * the {@link io.xcomposer.inference.server.runtime.ModelBackend} that loads one kind, and how ONNX Runtime sessions
 * are opened. It depends on no other package of the server, which keeps {@code repository} free of the model kinds.
 */
@NullMarked
package io.xcomposer.inference.server.runtime;

import org.jspecify.annotations.NullMarked;
