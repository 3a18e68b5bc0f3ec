package io.xcomposer.gateway.proxy;

import static org.springframework.web.reactive.function.server.RequestPredicates.DELETE;
import static org.springframework.web.reactive.function.server.RequestPredicates.GET;
import static org.springframework.web.reactive.function.server.RequestPredicates.POST;
import static org.springframework.web.reactive.function.server.RequestPredicates.path;

import io.xcomposer.gateway.auth.AdminKeysHandler;
import io.xcomposer.gateway.catalog.EmbeddingsHandler;
import io.xcomposer.gateway.catalog.ModelsHandler;
import io.xcomposer.gateway.chat.ChatCompletionsHandler;
import io.xcomposer.gateway.downstream.Downstreams;
import io.xcomposer.gateway.stream.ResumeHandler;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.io.ClassPathResource;
import org.springframework.http.MediaType;
import org.springframework.web.reactive.function.server.RouterFunction;
import org.springframework.web.reactive.function.server.RouterFunctions;
import org.springframework.web.reactive.function.server.ServerResponse;

/** The gateway's whole public surface in one table. */
@Configuration(proxyBeanMethods = false)
public class Routes {

    @Bean
    RouterFunction<ServerResponse> gatewayRoutes(
            ChatCompletionsHandler chat,
            ModelsHandler models,
            EmbeddingsHandler embeddings,
            ResumeHandler resume,
            AdminKeysHandler admin,
            Downstreams downstreams) {
        PassThroughHandler toComprehension = new PassThroughHandler(downstreams.comprehension());
        PassThroughHandler toComposition = new PassThroughHandler(downstreams.composition());
        PassThroughHandler toRetrieval = new PassThroughHandler(downstreams.retrieval());
        ClassPathResource index = new ClassPathResource("static/index.html");
        return RouterFunctions.route()
                // OpenAI-compatible
                .POST("/v1/chat/completions", chat::create)
                .POST("/v1/completions", chat::completions)
                .GET("/v1/models", models::list)
                .GET("/v1/models/{id}", models::get)
                .POST("/v1/embeddings", embeddings::create)
                // resumable streams
                .GET("/v1/streams/{streamId}", resume::resume)
                // native: uploads, compositions, gallery
                .route(path("/v1/images").or(path("/v1/images/**")), toComprehension)
                .route(path("/v1/compositions").or(path("/v1/compositions/**")), toComposition)
                .route(path("/v1/gallery/**"), toRetrieval)
                // keys
                .route(POST("/admin/keys"), admin::create)
                .route(GET("/admin/keys"), admin::list)
                .route(DELETE("/admin/keys/{id}"), admin::revoke)
                // the web chat page
                .GET(
                        "/",
                        request -> ServerResponse.ok()
                                .contentType(MediaType.TEXT_HTML)
                                .bodyValue(index))
                .build();
    }
}
