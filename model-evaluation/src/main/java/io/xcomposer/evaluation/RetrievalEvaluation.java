package io.xcomposer.evaluation;

import java.util.ArrayList;
import java.util.List;

/** Embeds the gallery with image_embedder and its captions with text_embedder, and ranks by dot product. */
public final class RetrievalEvaluation {

    private final ServedModel model;
    private final EvalData data;

    public RetrievalEvaluation(ServedModel model, EvalData data) {
        this.model = model;
        this.data = data;
    }

    /**
     * One result per language, querying with the captions of {@code queryImages} against the whole {@code gallery}.
     */
    public List<RetrievalResult> run(List<GalleryImage> gallery, List<GalleryImage> queryImages) {
        List<float[]> imageEmbeddings = model.embedImages(
                gallery.stream().map(g -> data.read(g.image())).toList());
        int selfAt1 = 0;
        for (int i = 0; i < gallery.size(); i++) {
            selfAt1 += topK(imageEmbeddings.get(i), imageEmbeddings, 1).get(0) == i ? 1 : 0;
        }
        List<RetrievalResult> results = new ArrayList<>();
        for (String lang : List.of("en", "zh")) {
            List<float[]> queries = model.embedTexts(
                    queryImages.stream().map(q -> q.caption(lang)).toList());
            int hitsAt1 = 0;
            int hitsAt5 = 0;
            for (int q = 0; q < queryImages.size(); q++) {
                String caption = queryImages.get(q).caption(lang);
                List<Integer> top = topK(queries.get(q), imageEmbeddings, 5);
                // The source image has the query caption; scenes also repeat (one small red circle in the center), and
                // an
                // identically captioned image answers the query as well.
                List<Boolean> hits = top.stream()
                        .map(i -> gallery.get(i).caption(lang).equals(caption))
                        .toList();
                hitsAt1 += hits.get(0) ? 1 : 0;
                hitsAt5 += hits.contains(true) ? 1 : 0;
            }
            results.add(new RetrievalResult(lang, queryImages.size(), hitsAt1, hitsAt5, gallery.size(), selfAt1));
        }
        return results;
    }

    /** Indices of the k highest dot products, best first; ties keep the lower index first. */
    static List<Integer> topK(float[] query, List<float[]> candidates, int k) {
        List<Integer> order = new ArrayList<>();
        List<Double> scores = new ArrayList<>();
        for (int i = 0; i < candidates.size(); i++) {
            double score = dot(query, candidates.get(i));
            int at = order.size();
            while (at > 0 && scores.get(at - 1) < score) {
                at--;
            }
            if (at < k) {
                order.add(at, i);
                scores.add(at, score);
                if (order.size() > k) {
                    order.remove(k);
                    scores.remove(k);
                }
            }
        }
        return order;
    }

    private static double dot(float[] a, float[] b) {
        double sum = 0;
        for (int i = 0; i < a.length; i++) {
            sum += a[i] * b[i];
        }
        return sum;
    }
}
