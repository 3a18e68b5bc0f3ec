/**
 * Tensors as Triton moves them: a name, an API datatype string, a shape and little-endian row-major bytes. The
 * codec is shared by the client (requests out, responses in) and the CPU server (requests in, responses out).
 */
@NullMarked
package io.xcomposer.inference.client.tensor;

import org.jspecify.annotations.NullMarked;
