package io.xcomposer.evaluation;

/**
 * Text→image retrieval over the gallery for one caption language, plus image→image self-retrieval.
 *
 * @param queries captions used as queries
 * @param hitsAt1 queries whose top image is a hit: the caption's own image, or any image with an identical caption
 * @param hitsAt5 queries with a hit among the top five
 * @param galleryImages images searched
 * @param selfAt1 gallery images that retrieve themselves first when used as the query
 */
public record RetrievalResult(String lang, int queries, int hitsAt1, int hitsAt5, int galleryImages, int selfAt1) {

    public double recallAt1() {
        return (double) hitsAt1 / queries;
    }

    public double recallAt5() {
        return (double) hitsAt5 / queries;
    }

    public double selfRetrievalAt1() {
        return (double) selfAt1 / galleryImages;
    }
}
