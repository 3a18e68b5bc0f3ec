package io.xcomposer.common.web.config;

import io.micrometer.context.ContextRegistry;
import io.xcomposer.common.error.ApiExceptionHandler;
import io.xcomposer.common.json.StrictJson;
import io.xcomposer.common.web.BodySizeLimitFilter;
import io.xcomposer.common.web.RequestId;
import io.xcomposer.common.web.RequestIdFilter;
import io.xcomposer.common.web.WebLimitsProperties;
import org.slf4j.MDC;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnWebApplication;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.boot.http.codec.CodecCustomizer;
import org.springframework.boot.jackson.autoconfigure.JsonMapperBuilderCustomizer;
import org.springframework.context.annotation.Bean;
import org.springframework.core.Ordered;
import org.springframework.http.codec.CodecConfigurer;
import reactor.core.publisher.Hooks;
import tools.jackson.databind.ObjectMapper;

/**
 * The web conventions of every service: the error body for any failure, {@code X-Request-Id} on every request,
 * strict JSON types ({@link StrictJson}) and one body-size limit ({@code xcomposer.web.max-body-size}) for the
 * filter and the codecs alike. The request id is copied from the Reactor context into the logging MDC (key {@code requestId}) by
 * Reactor's automatic context propagation, which this turns on.
 */
@AutoConfiguration
@ConditionalOnWebApplication(type = ConditionalOnWebApplication.Type.REACTIVE)
@EnableConfigurationProperties(WebLimitsProperties.class)
public class PlatformWebAutoConfiguration {

    static {
        ContextRegistry.getInstance()
                .registerThreadLocalAccessor(
                        RequestId.KEY,
                        () -> MDC.get(RequestId.KEY),
                        value -> MDC.put(RequestId.KEY, value),
                        () -> MDC.remove(RequestId.KEY));
        Hooks.enableAutomaticContextPropagation();
    }

    @Bean
    @ConditionalOnMissingBean
    ApiExceptionHandler apiExceptionHandler(ObjectMapper objectMapper) {
        return new ApiExceptionHandler(objectMapper);
    }

    @Bean
    @ConditionalOnMissingBean
    RequestIdFilter requestIdFilter() {
        return new RequestIdFilter();
    }

    @Bean
    @ConditionalOnMissingBean
    BodySizeLimitFilter platformBodySizeLimitFilter(WebLimitsProperties properties) {
        return new BodySizeLimitFilter(properties);
    }

    /** Last, so it wins over {@code spring.http.codecs.max-in-memory-size}: one setting, not two. */
    @Bean
    CodecCustomizer platformBodySizeCodecCustomizer(WebLimitsProperties properties) {
        int maxBytes =
                (int) Math.min(Integer.MAX_VALUE, properties.maxBodySize().toBytes());
        return new OrderedCodecCustomizer(
                configurer -> configurer.defaultCodecs().maxInMemorySize(maxBytes));
    }

    @Bean
    JsonMapperBuilderCustomizer platformStrictJson() {
        return builder -> StrictJson.configure(builder);
    }

    private record OrderedCodecCustomizer(CodecCustomizer delegate) implements CodecCustomizer, Ordered {

        @Override
        public void customize(CodecConfigurer configurer) {
            this.delegate.customize(configurer);
        }

        @Override
        public int getOrder() {
            return Ordered.LOWEST_PRECEDENCE;
        }
    }
}
