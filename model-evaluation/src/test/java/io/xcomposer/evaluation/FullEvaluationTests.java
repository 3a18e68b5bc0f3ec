package io.xcomposer.evaluation;

import java.nio.file.Path;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * The full evaluation, run on request only (tag {@code full-evaluation}, excluded by default): see README.md.
 * It runs {@link TinyModelEvaluation#main} with the repository and output paths the build passes in.
 */
@Tag("full-evaluation")
class FullEvaluationTests {

    @Test
    void evaluatesEveryHeldOutRecord() throws Exception {
        TinyModelEvaluation.main(new String[] {
            Path.of(System.getProperty("model.repository")).toString(), System.getProperty("evaluation.output")
        });
    }
}
