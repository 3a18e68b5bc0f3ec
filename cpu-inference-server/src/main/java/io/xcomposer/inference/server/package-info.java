/** CPU inference server: Triton's gRPC protocol over a Triton-layout model repository, run with ONNX Runtime. */
@NullMarked
package io.xcomposer.inference.server;

import org.jspecify.annotations.NullMarked;
