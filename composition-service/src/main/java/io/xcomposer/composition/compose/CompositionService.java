package io.xcomposer.composition.compose;

import io.xcomposer.common.error.ApiException;
import io.xcomposer.common.health.ModelServerWatch;
import io.xcomposer.common.images.Base64Images;
import io.xcomposer.common.images.ImageStore;
import io.xcomposer.common.images.ImageStoreProperties;
import io.xcomposer.common.images.StoredImage;
import io.xcomposer.composition.article.Composition;
import io.xcomposer.composition.article.CompositionStore;
import io.xcomposer.composition.config.CompositionProperties;
import io.xcomposer.composition.model.ArticleModel;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import org.jspecify.annotations.Nullable;
import org.springframework.stereotype.Service;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/** Starting compositions and reading them back. */
@Service
public class CompositionService {

    private final CompositionStore store;

    private final CompositionRunner runner;

    private final ImageStore uploads;

    private final CompositionProperties properties;

    private final ArticleModel model;

    private final long maxImageBytes;

    private final ModelServerWatch modelServer;

    CompositionService(
            CompositionStore store,
            CompositionRunner runner,
            ImageStore uploads,
            ArticleModel model,
            ModelServerWatch modelServer,
            CompositionProperties properties,
            ImageStoreProperties images) {
        this.modelServer = modelServer;
        this.store = store;
        this.runner = runner;
        this.uploads = uploads;
        this.model = model;
        this.properties = properties;
        this.maxImageBytes = images.maxBytes().toBytes();
    }

    /**
     * Stores the new composition, announces {@code created} and starts it; 503 when no place is free or the model
     * server is not ready (a job accepted then would only fail).
     */
    public Mono<Composition> create(CreateCompositionRequest request, @Nullable String requestId) {
        this.modelServer.requireReady();
        List<String> userImages = request.userImages() == null ? List.of() : request.userImages();
        Mono<Boolean> selecting = request.select() != null ? Mono.just(request.select()) : selectByDefault();
        return Flux.fromIterable(userImages)
                .index()
                .concatMap(indexed -> upload(indexed.getT2(), "user_images[" + indexed.getT1() + "]"))
                .collectList()
                .zipWith(selecting)
                .flatMap(uploadedAndSelect ->
                        start(request, uploadedAndSelect.getT1(), uploadedAndSelect.getT2(), requestId));
    }

    private Mono<Composition> start(
            CreateCompositionRequest request, List<String> uploaded, boolean select, @Nullable String requestId) {
        Integer imageCount =
                request.images() == null || "auto".equals(request.images()) ? null : Integer.valueOf(request.images());
        String language = request.language() != null ? request.language() : languageOf(request.title());
        int maxParagraphs = request.maxParagraphs() != null
                ? Math.min(request.maxParagraphs(), this.properties.maxParagraphs())
                : this.properties.maxParagraphs();
        long seed = request.seed() != null
                ? request.seed()
                : ThreadLocalRandom.current().nextLong(1L << 53);
        this.runner.reserve();
        Composition created = Composition.start(
                newId(),
                request.title().strip(),
                language,
                imageCount,
                select,
                maxParagraphs,
                uploaded.stream().distinct().toList(),
                seed);
        return this.runner
                .claim(created.id())
                .then(this.store.commit(created, "created", CompositionView.of(created), ""))
                .doOnError(failure -> this.runner.unclaim(created.id()))
                .doOnSuccess(seq -> this.runner.start(created, requestId))
                .thenReturn(created);
    }

    /**
     * Configuration first, then the model's own advice (the tiny model says no: retrieval's first candidate does better
     * on its gallery), then on.
     * A model that cannot be asked right now does not block the request; the write step will report it.
     */
    private Mono<Boolean> selectByDefault() {
        if (this.properties.selectByDefault() != null) {
            return Mono.just(this.properties.selectByDefault());
        }
        return this.model
                .prompts()
                .map(prompts -> prompts.selectByDefault() == null || prompts.selectByDefault())
                .onErrorReturn(true);
    }

    public Mono<Composition> find(String id) {
        return this.store
                .find(id)
                .switchIfEmpty(Mono.error(() -> ApiException.notFound(
                        "composition_not_found",
                        "No composition has the id '" + id + "'; it may have expired.",
                        "id")));
    }

    /**
     * An uploaded image id (checked to exist) or a base64 data URL, checked to be an image (the image store refuses
     * anything else), stored and then referred to by its id.
     */
    private Mono<String> upload(String image, String param) {
        if (ImageStore.isImageId(image)) {
            return this.uploads.get(image, param).map(StoredImage::id);
        }
        if (!image.regionMatches(true, 0, "data:", 0, 5)) {
            return Mono.error(ApiException.badRequest(
                    "invalid_image",
                    "Each of user_images must be an uploaded image id or a base64 data:image URL.",
                    param));
        }
        return Mono.fromCallable(() -> Base64Images.decode(image, this.maxImageBytes, param, "invalid_image"))
                .flatMap(bytes -> this.uploads.put(bytes, param))
                .map(StoredImage::id);
    }

    static String languageOf(String title) {
        return title.codePoints().anyMatch(c -> Character.UnicodeScript.of(c) == Character.UnicodeScript.HAN)
                ? "zh"
                : "en";
    }

    private static String newId() {
        byte[] random = new byte[12];
        ThreadLocalRandom.current().nextBytes(random);
        return "cmp_" + HexFormat.of().formatHex(random);
    }
}
