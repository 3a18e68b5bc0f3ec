/**
 * Readiness of what a service depends on beyond Redis: the model server and its models, watched in the
 * background so services start without them and become ready by themselves.
 */
@NullMarked
package io.xcomposer.common.health;

import org.jspecify.annotations.NullMarked;
