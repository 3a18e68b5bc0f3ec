/**
 * Spring Boot wiring: {@code xcomposer.inference.*} properties and a {@link io.xcomposer.inference.client.TritonClient}
 * bean. Only active when Spring Boot is on the classpath.
 */
@NullMarked
package io.xcomposer.inference.client.config;

import org.jspecify.annotations.NullMarked;
