/** Spring Boot auto-configuration of the shared pieces; listed in {@code META-INF/spring/...AutoConfiguration.imports}. */
@NullMarked
package io.xcomposer.common.config;

import org.jspecify.annotations.NullMarked;
