package io.xcomposer.comprehension.chat;

import io.xcomposer.common.web.RequestId;
import org.springframework.http.CacheControl;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RestController;
import org.springframework.web.server.ServerWebExchange;
import reactor.core.publisher.Mono;

/** {@code POST /v1/chat/completions}, OpenAI-compatible, streamed (SSE) or not. */
@RestController
class ChatController {

    private final ChatRequestParser parser;

    private final ChatService chat;

    private final ChatResponder responder;

    ChatController(ChatRequestParser parser, ChatService chat, ChatResponder responder) {
        this.parser = parser;
        this.chat = chat;
        this.responder = responder;
    }

    @PostMapping(path = "/v1/chat/completions", consumes = MediaType.APPLICATION_JSON_VALUE)
    Mono<ResponseEntity<?>> complete(@RequestBody ChatCompletionRequest request, ServerWebExchange exchange) {
        long arrivalNanos = System.nanoTime();
        ChatCommand command = this.parser.parse(request);
        String requestId = exchange.getRequiredAttribute(RequestId.KEY);
        return this.chat
                .start(command, requestId, arrivalNanos)
                .flatMap(run -> command.stream()
                        ? Mono.just(ResponseEntity.ok()
                                .contentType(MediaType.TEXT_EVENT_STREAM)
                                .cacheControl(CacheControl.noCache())
                                .header("X-Accel-Buffering", "no")
                                .body(this.responder.stream(run, command.includeUsage())))
                        : this.responder.completion(run).map(ResponseEntity::ok));
    }
}
