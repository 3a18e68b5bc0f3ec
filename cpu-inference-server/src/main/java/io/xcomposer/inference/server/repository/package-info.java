/** Loading the model repository: config.pbtxt parsing, version selection, ONNX Runtime sessions, readiness. */
@NullMarked
package io.xcomposer.inference.server.repository;

import org.jspecify.annotations.NullMarked;
