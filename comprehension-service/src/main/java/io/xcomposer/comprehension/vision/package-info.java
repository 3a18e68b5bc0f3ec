/** Vision features: the vision encoder behind a Redis cache keyed by model fingerprint and image SHA-256. */
@NullMarked
package io.xcomposer.comprehension.vision;

import org.jspecify.annotations.NullMarked;
