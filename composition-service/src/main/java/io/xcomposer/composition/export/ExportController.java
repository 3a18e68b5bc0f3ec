package io.xcomposer.composition.export;

import io.xcomposer.common.error.ApiException;
import io.xcomposer.composition.article.Composition;
import io.xcomposer.composition.article.ImageRef;
import io.xcomposer.composition.article.Slot;
import io.xcomposer.composition.compose.ArticleSteps;
import io.xcomposer.composition.compose.CompositionService;
import io.xcomposer.inference.client.image.ImageFormat;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;
import org.springframework.http.ContentDisposition;
import org.springframework.http.HttpHeaders;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.RestController;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/** The article as Markdown, as a zip (the seed's "save article"), and the uploaded images it shows. */
@RestController
class ExportController {

    private static final MediaType MARKDOWN = MediaType.parseMediaType("text/markdown;charset=UTF-8");

    private final CompositionService compositions;

    private final ArticleSteps steps;

    ExportController(CompositionService compositions, ArticleSteps steps) {
        this.compositions = compositions;
        this.steps = steps;
    }

    @GetMapping("/v1/compositions/{id}/markdown")
    Mono<ResponseEntity<String>> markdown(@PathVariable String id) {
        return this.compositions
                .find(id)
                .map(composition -> ResponseEntity.ok()
                        .contentType(MARKDOWN)
                        .body(ArticleMarkdown.render(composition, ImageRef::url)));
    }

    /** {@code article.md} linking {@code images/<id>.png}, and those images. */
    @GetMapping("/v1/compositions/{id}/export")
    Mono<ResponseEntity<byte[]>> export(@PathVariable String id) {
        return this.compositions
                .find(id)
                .flatMap(composition -> {
                    Map<String, ImageRef> images = new LinkedHashMap<>();
                    composition.slots().stream()
                            .map(Slot::image)
                            .filter(Objects::nonNull)
                            .forEach(image -> images.put(image.id(), image));
                    return Flux.fromIterable(images.values())
                            .concatMap(image -> this.steps.bytes(image).map(bytes -> Map.entry(image.id(), bytes)))
                            .collectList()
                            .map(contents -> zip(composition, contents));
                })
                .map(zip -> ResponseEntity.ok()
                        .contentType(MediaType.parseMediaType("application/zip"))
                        .header(
                                HttpHeaders.CONTENT_DISPOSITION,
                                ContentDisposition.attachment()
                                        .filename(id + ".zip")
                                        .build()
                                        .toString())
                        .body(zip));
    }

    @GetMapping("/v1/compositions/{id}/images/{imageId}")
    Mono<ResponseEntity<byte[]>> uploadedImage(@PathVariable String id, @PathVariable String imageId) {
        return this.compositions
                .find(id)
                .filter(composition -> composition.userImages().contains(imageId))
                .switchIfEmpty(Mono.error(() -> ApiException.notFound(
                        "image_not_found", "This composition has no uploaded image '" + imageId + "'.", "image_id")))
                .flatMap(composition -> this.steps.bytes(new ImageRef(imageId, ImageRef.UPLOAD, null, "", 0)))
                // Only checked raster images reach the store; nosniff keeps browsers from second-guessing the type.
                .map(bytes -> ResponseEntity.ok()
                        .contentType(MediaType.parseMediaType(
                                "image/" + ImageFormat.sniff(bytes).readerFormatName()))
                        .header("X-Content-Type-Options", "nosniff")
                        .body(bytes));
    }

    private static byte[] zip(Composition composition, Iterable<Map.Entry<String, byte[]>> images) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (ZipOutputStream zip = new ZipOutputStream(out)) {
            zip.putNextEntry(new ZipEntry("article.md"));
            zip.write(ArticleMarkdown.render(composition, image -> imagePath(image.id()))
                    .getBytes(StandardCharsets.UTF_8));
            zip.closeEntry();
            for (Map.Entry<String, byte[]> image : images) {
                zip.putNextEntry(new ZipEntry(imagePath(image.getKey())));
                zip.write(image.getValue());
                zip.closeEntry();
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toByteArray();
    }

    private static String imagePath(String imageId) {
        return "images/" + imageId.replaceAll("[^A-Za-z0-9_.-]", "_") + ".png";
    }
}
