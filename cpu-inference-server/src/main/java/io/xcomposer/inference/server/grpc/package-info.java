/** The gRPC endpoint: inference.GRPCInferenceService and its stream handling. */
@NullMarked
package io.xcomposer.inference.server.grpc;

import org.jspecify.annotations.NullMarked;
