package io.xcomposer.retrieval.search;

import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RestController;
import reactor.core.publisher.Mono;

/** {@code POST /v1/gallery/search}. */
@RestController
class SearchController {

    private final SearchService search;

    SearchController(SearchService search) {
        this.search = search;
    }

    @PostMapping("/v1/gallery/search")
    Mono<SearchResponse> search(@RequestBody SearchRequest request) {
        return Mono.defer(() -> this.search.search(request));
    }
}
