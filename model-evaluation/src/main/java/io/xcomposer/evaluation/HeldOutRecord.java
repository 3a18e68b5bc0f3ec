package io.xcomposer.evaluation;

import java.util.List;

/**
 * One line of eval/heldout.jsonl.
 *
 * @param prompt the exact llm {@code text_input}, one {@code <ImageHere>} per image
 * @param images PNG paths relative to the eval folder, in placeholder order
 * @param answer the expected answer text
 * @param truth the scene's objects; only caption records carry them, empty otherwise
 */
public record HeldOutRecord(
        int id, String task, String lang, String prompt, List<String> images, String answer, List<SceneObject> truth) {

    public HeldOutRecord {
        images = List.copyOf(images);
        truth = List.copyOf(truth);
    }

    public String stratum() {
        return task + "/" + lang;
    }
}
