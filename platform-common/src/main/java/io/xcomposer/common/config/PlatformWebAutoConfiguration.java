package io.xcomposer.common.config;

import io.micrometer.context.ContextRegistry;
import io.xcomposer.common.error.ApiExceptionHandler;
import io.xcomposer.common.web.RequestId;
import io.xcomposer.common.web.RequestIdFilter;
import org.slf4j.MDC;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnWebApplication;
import org.springframework.context.annotation.Bean;
import reactor.core.publisher.Hooks;
import tools.jackson.databind.ObjectMapper;

/**
 * The web conventions of every service: the error body for any failure and {@code X-Request-Id} on every
 * request. The request id is copied from the Reactor context into the logging MDC (key {@code requestId}) by
 * Reactor's automatic context propagation, which this turns on.
 */
@AutoConfiguration
@ConditionalOnWebApplication(type = ConditionalOnWebApplication.Type.REACTIVE)
public class PlatformWebAutoConfiguration {

	static {
		ContextRegistry.getInstance()
			.registerThreadLocalAccessor(RequestId.KEY, () -> MDC.get(RequestId.KEY),
					value -> MDC.put(RequestId.KEY, value), () -> MDC.remove(RequestId.KEY));
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

}
