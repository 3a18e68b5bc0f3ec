package io.xcomposer.composition.article;

import com.fasterxml.jackson.annotation.JsonValue;
import java.util.Locale;

public enum Status {
    RUNNING,
    COMPLETED,
    FAILED;

    public boolean finished() {
        return this != RUNNING;
    }

    @JsonValue
    public String wire() {
        return name().toLowerCase(Locale.ROOT);
    }
}
