package io.xcomposer.retrieval.embedding;

import com.fasterxml.jackson.annotation.JsonFormat;
import io.xcomposer.common.error.ApiException;
import io.xcomposer.common.images.ImageReferences;
import io.xcomposer.inference.client.image.PreprocessedImage;
import io.xcomposer.retrieval.config.RetrievalProperties;
import java.util.ArrayList;
import java.util.List;
import org.jspecify.annotations.Nullable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RestController;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * {@code POST /v1/gallery/embeddings}: vectors of the retrieval space for texts ({@code input}, OpenAI's field) or
 * images ({@code images}: base64, URL or gallery id each). The gateway maps OpenAI's {@code /v1/embeddings} here,
 * so the answer has OpenAI's list shape.
 */
@RestController
class EmbeddingController {

    static final int MAX_INPUTS = 256;

    private final EmbeddingService embeddings;

    private final ImageReferences references;

    private final RetrievalProperties properties;

    EmbeddingController(EmbeddingService embeddings, ImageReferences references, RetrievalProperties properties) {
        this.embeddings = embeddings;
        this.references = references;
        this.properties = properties;
    }

    @PostMapping("/v1/gallery/embeddings")
    Mono<EmbeddingResponse> embed(@RequestBody EmbeddingRequest request) {
        boolean texts = request.input() != null;
        List<String> items = texts ? request.input() : request.images();
        if (texts == (request.images() != null) || items.isEmpty() || items.size() > MAX_INPUTS) {
            throw ApiException.badRequest(
                    "invalid_input",
                    "Give 'input' (texts) or 'images', with 1 to " + MAX_INPUTS + " items.",
                    texts ? "input" : "images");
        }
        if (texts && items.stream().anyMatch(text -> text == null || text.isEmpty())) {
            throw ApiException.badRequest("invalid_input", "Texts must not be empty.", "input");
        }
        Mono<List<float[]>> vectors = texts ? this.embeddings.embedTexts(items) : embedImages(items);
        String model = texts ? this.properties.textModel() : this.properties.imageModel();
        return vectors.map(list -> EmbeddingResponse.of(list, model));
    }

    private Mono<List<float[]>> embedImages(List<String> inputs) {
        List<Mono<PreprocessedImage>> images = new ArrayList<>();
        for (int i = 0; i < inputs.size(); i++) {
            String param = "images[" + i + "]";
            images.add(this.references
                    .resolveOrBase64(inputs.get(i), param)
                    .flatMap(image -> this.embeddings.preprocess(image.bytes(), param)));
        }
        return Flux.fromIterable(images)
                .flatMapSequential(image -> image, 4)
                .collectList()
                .flatMap(this.embeddings::embedImages);
    }

    record EmbeddingRequest(
            @JsonFormat(with = JsonFormat.Feature.ACCEPT_SINGLE_VALUE_AS_ARRAY) @Nullable
            List<String> input,

            @JsonFormat(with = JsonFormat.Feature.ACCEPT_SINGLE_VALUE_AS_ARRAY) @Nullable
            List<String> images) {}

    record EmbeddingResponse(String object, List<Item> data, String model, int dimensions) {

        static EmbeddingResponse of(List<float[]> vectors, String model) {
            List<Item> items = new ArrayList<>();
            for (int i = 0; i < vectors.size(); i++) {
                items.add(new Item("embedding", i, vectors.get(i)));
            }
            return new EmbeddingResponse("list", items, model, vectors.isEmpty() ? 0 : vectors.get(0).length);
        }
    }

    record Item(String object, int index, float[] embedding) {}
}
