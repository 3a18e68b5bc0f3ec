/**
 * The model contract of docs/model-contract.md in one place: model names, tensor names, dtypes and dims, parameter
 * keys, error-message prefixes and the shape rules of image embeddings. The client, the CPU inference server, every
 * service and the contract test of both model repositories read it from here.
 */
@NullMarked
package io.xcomposer.inference.client.contract;

import org.jspecify.annotations.NullMarked;
