package io.xcomposer.composition.article;

import com.fasterxml.jackson.annotation.JsonValue;

public enum Status {
    RUNNING,
    COMPLETED,
    FAILED;

    public boolean finished() {
        return this != RUNNING;
    }

    @JsonValue
    public String wire() {
        return name().toLowerCase(java.util.Locale.ROOT);
    }
}
