package io.xcomposer.evaluation;

import java.util.List;
import java.util.Objects;

/**
 * Caption attribute accuracy counts over ground-truth objects. A truth object is matched to the generated object
 * stated at the same position (a scene has at most one object per cell); {@code position} counts truth objects for
 * which the caption names some object at that position, and colour / shape / size count matches of that object's
 * attribute, so an object placed in the wrong cell counts as wrong on every attribute. {@code correct} counts
 * objects right on all four; {@code stated} counts generated objects (to see over-generation).
 */
public record CaptionScore(int objects, int correct, int colour, int shape, int size, int position, int stated) {

    public static final CaptionScore NONE = new CaptionScore(0, 0, 0, 0, 0, 0, 0);

    public static CaptionScore of(List<SceneObject> truth, List<SceneObject> generated) {
        int correct = 0;
        int colour = 0;
        int shape = 0;
        int size = 0;
        int position = 0;
        for (SceneObject expected : truth) {
            SceneObject found = generated.stream()
                    .filter(o -> o.position().equals(expected.position()))
                    .findFirst()
                    .orElse(null);
            if (found == null) {
                continue;
            }
            position++;
            colour += Objects.equals(found.colour(), expected.colour()) ? 1 : 0;
            shape += Objects.equals(found.shape(), expected.shape()) ? 1 : 0;
            size += Objects.equals(found.size(), expected.size()) ? 1 : 0;
            correct += found.equals(expected) ? 1 : 0;
        }
        return new CaptionScore(truth.size(), correct, colour, shape, size, position, generated.size());
    }

    public CaptionScore plus(CaptionScore other) {
        return new CaptionScore(
                objects + other.objects,
                correct + other.correct,
                colour + other.colour,
                shape + other.shape,
                size + other.size,
                position + other.position,
                stated + other.stated);
    }
}
