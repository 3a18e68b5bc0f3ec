/** The {@code vision_encoder} call shared by every service that shows images to the llm. */
@NullMarked
package io.xcomposer.inference.client.vision;

import org.jspecify.annotations.NullMarked;
