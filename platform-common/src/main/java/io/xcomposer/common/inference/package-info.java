/** The inference client's failures in the platform's error shape, registered with the web module's error mapping. */
@NullMarked
package io.xcomposer.common.inference;

import org.jspecify.annotations.NullMarked;
