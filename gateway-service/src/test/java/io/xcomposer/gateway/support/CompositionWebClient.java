package io.xcomposer.gateway.support;

import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.http.codec.CodecCustomizer;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.context.annotation.Scope;
import org.springframework.web.reactive.function.client.WebClient;

/**
 * The {@link WebClient.Builder} composition-service expects from Spring Boot's WebClient auto-configuration. The
 * gateway's test classpath leaves that starter out (see pom.xml: with it, the gateway's own test context would pick
 * the auto-configuration up and break the double-based tests), so {@link RealPlatform} adds this builder to
 * composition-service alone, with Boot's codec customizers (its Jackson settings) applied as the auto-configuration
 * does.
 */
@Configuration(proxyBeanMethods = false)
public class CompositionWebClient {

    @Bean
    @Scope("prototype")
    WebClient.Builder webClientBuilder(ObjectProvider<CodecCustomizer> customizers) {
        return WebClient.builder()
                .codecs(codecs -> customizers.orderedStream().forEach(customizer -> customizer.customize(codecs)));
    }
}
