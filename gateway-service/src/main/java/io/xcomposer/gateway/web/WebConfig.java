package io.xcomposer.gateway.web;

import io.xcomposer.gateway.config.GatewayProperties;
import java.util.List;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.Ordered;
import org.springframework.core.annotation.Order;
import org.springframework.web.cors.CorsConfiguration;
import org.springframework.web.cors.reactive.CorsWebFilter;
import org.springframework.web.cors.reactive.UrlBasedCorsConfigurationSource;

/** CORS for browser front ends on other origins (Open WebUI, LibreChat run server-side and need none). */
@Configuration(proxyBeanMethods = false)
public class WebConfig {

    @Bean
    @Order(Ordered.HIGHEST_PRECEDENCE + 10)
    CorsWebFilter corsWebFilter(GatewayProperties properties) {
        CorsConfiguration cors = new CorsConfiguration();
        cors.setAllowedOriginPatterns(properties.cors().allowedOrigins());
        cors.setAllowedMethods(List.of("GET", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"));
        cors.setAllowedHeaders(List.of("*"));
        // Browser code must read these to back off, resume and correlate.
        cors.setExposedHeaders(List.of(
                "X-Request-Id",
                "X-Stream-Id",
                "Retry-After",
                "x-ratelimit-limit-requests",
                "x-ratelimit-remaining-requests",
                "x-ratelimit-reset-requests",
                "x-ratelimit-limit-tokens",
                "x-ratelimit-remaining-tokens",
                "x-ratelimit-reset-tokens"));
        cors.setAllowCredentials(false);
        cors.setMaxAge(600L);
        UrlBasedCorsConfigurationSource source = new UrlBasedCorsConfigurationSource();
        source.registerCorsConfiguration("/v1/**", cors);
        return new CorsWebFilter(source);
    }
}
