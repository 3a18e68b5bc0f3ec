/** Configuration properties and infrastructure beans. */
@NullMarked
package io.xcomposer.retrieval.config;

import org.jspecify.annotations.NullMarked;
