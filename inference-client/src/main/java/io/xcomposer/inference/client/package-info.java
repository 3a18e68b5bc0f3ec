/**
 * {@link io.xcomposer.inference.client.TritonClient}: the platform's one client for Triton's gRPC protocol, used
 * against a real Triton and the project's CPU inference server alike.
 */
@NullMarked
package io.xcomposer.inference.client;

import org.jspecify.annotations.NullMarked;
