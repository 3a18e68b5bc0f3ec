/**
 * Typed failures of inference calls, one per gRPC status the contract uses, so services can map them to HTTP
 * answers without looking at gRPC.
 */
@NullMarked
package io.xcomposer.inference.client.error;

import org.jspecify.annotations.NullMarked;
