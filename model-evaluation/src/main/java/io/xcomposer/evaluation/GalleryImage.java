package io.xcomposer.evaluation;

/** One line of eval/gallery.jsonl: a retrieval gallery image and its captions in both languages. */
public record GalleryImage(int id, String image, String captionEn, String captionZh) {

    public String caption(String lang) {
        return "zh".equals(lang) ? captionZh : captionEn;
    }
}
