/**
 * Creating and running compositions: the seed's pipeline from title to illustrated article, on the server,
 * bounded in concurrency.
 */
@NullMarked
package io.xcomposer.composition.compose;

import org.jspecify.annotations.NullMarked;
