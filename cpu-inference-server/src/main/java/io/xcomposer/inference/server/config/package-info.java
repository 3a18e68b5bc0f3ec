/** Server settings (xcomposer.server.*) and shared beans. */
@NullMarked
package io.xcomposer.inference.server.config;

import org.jspecify.annotations.NullMarked;
