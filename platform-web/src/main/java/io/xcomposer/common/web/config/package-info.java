/**
 * Spring Boot auto-configuration of the web conventions every application shares (the gateway included); listed in
 * {@code META-INF/spring/...AutoConfiguration.imports}.
 */
@NullMarked
package io.xcomposer.common.web.config;

import org.jspecify.annotations.NullMarked;
