/** How the platform reads JSON: strict types ({@link io.xcomposer.common.json.StrictJson}). */
@NullMarked
package io.xcomposer.common.json;

import org.jspecify.annotations.NullMarked;
