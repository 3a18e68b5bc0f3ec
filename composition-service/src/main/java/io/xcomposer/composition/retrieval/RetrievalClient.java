package io.xcomposer.composition.retrieval;

import io.xcomposer.common.security.ServiceToken;
import java.util.Collection;
import java.util.List;
import org.jspecify.annotations.Nullable;
import org.springframework.stereotype.Component;
import org.springframework.web.reactive.function.client.WebClient;
import reactor.core.publisher.Mono;

/** retrieval-service over HTTP: text→image search with an exclude list, and image bytes. */
@Component
public class RetrievalClient {

    private final WebClient web;

    private final RetrievalProperties properties;

    RetrievalClient(WebClient.Builder builder, RetrievalProperties properties, ServiceToken serviceToken) {
        this.properties = properties;
        this.web = builder.baseUrl(properties.baseUrl().toString())
                .filter(serviceToken.clientFilter())
                .codecs(codecs -> codecs.defaultCodecs()
                        .maxInMemorySize((int) properties.maxImageSize().toBytes()))
                .build();
    }

    /** The {@code topK} gallery images nearest to {@code text}, none of {@code exclude}. */
    public Mono<List<GalleryHit>> search(String text, int topK, Collection<String> exclude) {
        return this.web
                .post()
                .uri("/v1/gallery/search")
                .bodyValue(new SearchRequest(text, topK, List.copyOf(exclude)))
                .retrieve()
                .bodyToMono(SearchResponse.class)
                .map(SearchResponse::results)
                .timeout(this.properties.timeout());
    }

    public Mono<byte[]> content(String imageId) {
        return this.web
                .get()
                .uri("/v1/gallery/images/{id}/content", imageId)
                .retrieve()
                .bodyToMono(byte[].class)
                .timeout(this.properties.timeout());
    }

    /** The URL clients can fetch the image from: the search's own URL, made absolute, or the content path. */
    public String publicUrl(GalleryHit hit) {
        String url = hit.url();
        String path = url == null || url.isBlank() ? "/v1/gallery/images/" + hit.id() + "/content" : url;
        return this.properties.baseUrl().resolve(path).toString();
    }

    record SearchRequest(String text, int topK, List<String> exclude) {}

    record SearchResponse(@Nullable List<GalleryHit> results) {

        @Override
        public List<GalleryHit> results() {
            return this.results == null ? List.of() : this.results;
        }
    }
}
