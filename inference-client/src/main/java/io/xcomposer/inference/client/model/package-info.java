/**
 * Typed views of the {@code ModelConfig.parameters} the contract defines (docs/model-contract.md), so services
 * read image size, normalisation, chat template and limits from the server instead of hard-coding them.
 */
@NullMarked
package io.xcomposer.inference.client.model;

import org.jspecify.annotations.NullMarked;
