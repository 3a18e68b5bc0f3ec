/** Request tensors: reading with the shared codec, validation against the config, ONNX Runtime transfer. */
@NullMarked
package io.xcomposer.inference.server.tensor;

import org.jspecify.annotations.NullMarked;
