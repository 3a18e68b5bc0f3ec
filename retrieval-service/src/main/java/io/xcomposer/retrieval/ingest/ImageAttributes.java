package io.xcomposer.retrieval.ingest;

import io.xcomposer.common.error.ApiException;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import org.jspecify.annotations.Nullable;

/**
 * The caller-given description of an image, validated and normalised (tags trimmed, lower-cased, de-duplicated).
 */
public record ImageAttributes(String caption, List<String> tags, Map<String, Object> metadata) {

    static final int MAX_CAPTION = 4000;

    static final int MAX_TAGS = 64;

    static final int MAX_TAG_LENGTH = 64;

    public ImageAttributes {
        tags = List.copyOf(tags);
        metadata = Map.copyOf(metadata);
    }

    public static ImageAttributes of(
            @Nullable String caption, @Nullable List<String> tags, @Nullable Map<String, Object> metadata) {
        String text = caption == null ? "" : caption.strip();
        if (text.length() > MAX_CAPTION) {
            throw ApiException.badRequest(
                    "caption_too_long", "The caption has more than " + MAX_CAPTION + " characters.", "caption");
        }
        return new ImageAttributes(text, normaliseTags(tags), metadata == null ? Map.of() : metadata);
    }

    /** Tags as stored and as matched by search filters. */
    public static List<String> normaliseTags(@Nullable List<String> tags) {
        if (tags == null) {
            return List.of();
        }
        Set<String> normalised = new LinkedHashSet<>();
        for (String tag : tags) {
            String value = tag == null ? "" : tag.strip().toLowerCase(Locale.ROOT);
            if (value.isEmpty() || value.length() > MAX_TAG_LENGTH) {
                throw ApiException.badRequest(
                        "invalid_tag", "Tags must be 1 to " + MAX_TAG_LENGTH + " characters long.", "tags");
            }
            normalised.add(value);
        }
        if (normalised.size() > MAX_TAGS) {
            throw ApiException.badRequest("too_many_tags", "At most " + MAX_TAGS + " tags are accepted.", "tags");
        }
        return List.copyOf(normalised);
    }
}
