package io.xcomposer.comprehension.chat;

import io.xcomposer.common.web.RequestId;
import io.xcomposer.inference.client.generation.GenerationChunk;
import java.util.List;
import org.springframework.http.CacheControl;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RestController;
import org.springframework.web.server.ServerWebExchange;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/** {@code POST /v1/completions}, OpenAI-compatible (prompt text in, text out), streamed (SSE) or not. */
@RestController
class CompletionController {

    private final CompletionParser parser;

    private final CompletionService completions;

    private final CompletionResponder responder;

    CompletionController(CompletionParser parser, CompletionService completions, CompletionResponder responder) {
        this.parser = parser;
        this.completions = completions;
        this.responder = responder;
    }

    @PostMapping(path = "/v1/completions", consumes = MediaType.APPLICATION_JSON_VALUE)
    Mono<ResponseEntity<?>> complete(@RequestBody CompletionRequest request, ServerWebExchange exchange) {
        long arrivalNanos = System.nanoTime();
        CompletionCommand command = this.parser.parse(request);
        String requestId = exchange.getRequiredAttribute(RequestId.KEY);
        List<Flux<GenerationChunk>> choices = this.completions.choices(command, requestId, arrivalNanos);
        if (command.stream()) {
            return Mono.just(ResponseEntity.ok()
                    .contentType(MediaType.TEXT_EVENT_STREAM)
                    .cacheControl(CacheControl.noCache())
                    .header("X-Accel-Buffering", "no")
                    .body(this.responder.stream(command, choices)));
        }
        return this.responder.completion(command, choices).map(ResponseEntity::ok);
    }
}
