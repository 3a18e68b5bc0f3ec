package io.xcomposer.composition.model;

/** The composition steps that ask the llm something, by their key in {@code composition.generation}. */
public enum Step {
    WRITE("write"),
    SPOT("spot"),
    CAPTION("caption"),
    SELECT("select");

    private final String key;

    Step(String key) {
        this.key = key;
    }

    public String key() {
        return this.key;
    }
}
