package io.xcomposer.composition.compose;

import io.xcomposer.common.web.RequestId;
import jakarta.validation.Valid;
import org.springframework.http.HttpStatus;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.ResponseStatus;
import org.springframework.web.bind.annotation.RestController;
import reactor.core.publisher.Mono;

@RestController
class CompositionController {

    private final CompositionService compositions;

    CompositionController(CompositionService compositions) {
        this.compositions = compositions;
    }

    @PostMapping("/v1/compositions")
    @ResponseStatus(HttpStatus.CREATED)
    Mono<CompositionView> create(@Valid @RequestBody CreateCompositionRequest request) {
        return Mono.deferContextual(context -> this.compositions.create(
                        request, RequestId.from(context).orElse(null)))
                .map(CompositionView::of);
    }

    @GetMapping("/v1/compositions/{id}")
    Mono<CompositionView> get(@PathVariable String id) {
        return this.compositions.find(id).map(CompositionView::of);
    }
}
