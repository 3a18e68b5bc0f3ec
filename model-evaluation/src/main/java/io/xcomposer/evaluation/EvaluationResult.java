package io.xcomposer.evaluation;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Predicate;
import java.util.stream.Collectors;

/** Everything one evaluation run measured. */
public record EvaluationResult(
        EvaluationPlan plan,
        List<RecordResult> records,
        List<RetrievalResult> retrieval,
        List<OutOfDomainResult> outOfDomain,
        Duration elapsed) {

    /** Records per {@code task/lang}, strata in task order of the held-out file, English first. */
    public Map<String, List<RecordResult>> byStratum() {
        return records.stream()
                .collect(Collectors.groupingBy(
                        r -> r.record().stratum(),
                        () -> new TreeMap<>((a, b) -> Integer.compare(firstIndex(a), firstIndex(b))),
                        Collectors.toList()));
    }

    public double rate(String task, String lang, Predicate<RecordResult> correct) {
        List<RecordResult> stratum = byStratum().getOrDefault(task + "/" + lang, List.of());
        return (double) stratum.stream().filter(correct).count() / stratum.size();
    }

    public CaptionScore captionScore(String lang) {
        return records.stream()
                .filter(r -> r.record().lang().equals(lang))
                .map(RecordResult::caption)
                .reduce(CaptionScore.NONE, CaptionScore::plus);
    }

    public RetrievalResult retrieval(String lang) {
        return retrieval.stream().filter(r -> r.lang().equals(lang)).findFirst().orElseThrow();
    }

    public long generationErrors() {
        return records.stream()
                .filter(r -> r.generation().finishReason().startsWith("error"))
                .count();
    }

    private int firstIndex(String stratum) {
        for (int i = 0; i < records.size(); i++) {
            if (records.get(i).record().stratum().equals(stratum)) {
                return i;
            }
        }
        return Integer.MAX_VALUE;
    }
}
