package io.xcomposer.inference.server.unary;

import io.xcomposer.inference.client.tensor.Tensor;
import java.util.List;

/** Outputs of one request plus where its time went, for the queue and compute metrics. */
record Execution(List<Tensor> outputs, long queueNanos, long computeNanos) {}
