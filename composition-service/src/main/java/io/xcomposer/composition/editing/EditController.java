package io.xcomposer.composition.editing;

import io.xcomposer.common.web.RequestId;
import io.xcomposer.composition.article.Composition;
import io.xcomposer.composition.compose.CompositionView;
import jakarta.validation.Valid;
import java.util.function.Function;
import org.jspecify.annotations.Nullable;
import org.springframework.web.bind.annotation.DeleteMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RestController;
import reactor.core.publisher.Mono;

/** Editing a completed composition; every operation answers with the whole updated composition. */
@RestController
class EditController {

    private final EditingService editing;

    EditController(EditingService editing) {
        this.editing = editing;
    }

    @PostMapping("/v1/compositions/{id}/slots/{paragraph}:search")
    Mono<CompositionView> search(
            @PathVariable String id, @PathVariable int paragraph, @Valid @RequestBody EditRequests.Search request) {
        return view(requestId -> this.editing.search(id, paragraph, request.caption()));
    }

    @PostMapping("/v1/compositions/{id}/slots/{paragraph}:choose")
    Mono<CompositionView> choose(
            @PathVariable String id, @PathVariable int paragraph, @Valid @RequestBody EditRequests.Choose request) {
        return view(requestId -> this.editing.choose(id, paragraph, request));
    }

    @DeleteMapping("/v1/compositions/{id}/slots/{paragraph}")
    Mono<CompositionView> delete(@PathVariable String id, @PathVariable int paragraph) {
        return view(requestId -> this.editing.delete(id, paragraph));
    }

    @PostMapping("/v1/compositions/{id}/slots")
    Mono<CompositionView> add(@PathVariable String id, @Valid @RequestBody EditRequests.AddSlot request) {
        return view(requestId -> this.editing.add(id, request.afterParagraph(), requestId));
    }

    @PostMapping("/v1/compositions/{id}:insert-images")
    Mono<CompositionView> insertImages(@PathVariable String id, @Valid @RequestBody EditRequests.InsertImages request) {
        return view(requestId -> this.editing.insertImages(id, request.count(), requestId));
    }

    @PostMapping("/v1/compositions/{id}/paragraphs/{paragraph}:rewrite")
    Mono<CompositionView> rewrite(
            @PathVariable String id, @PathVariable int paragraph, @Valid @RequestBody EditRequests.Rewrite request) {
        return view(requestId -> this.editing.rewrite(id, paragraph, request.instruction(), requestId));
    }

    private static Mono<CompositionView> view(Function<@Nullable String, Mono<Composition>> edit) {
        return Mono.deferContextual(
                        context -> edit.apply(RequestId.from(context).orElse(null)))
                .map(CompositionView::of);
    }
}
