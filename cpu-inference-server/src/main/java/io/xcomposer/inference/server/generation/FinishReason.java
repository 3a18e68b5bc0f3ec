package io.xcomposer.inference.server.generation;

/** Why a generation ended, as sent in {@code finish_reason}. */
public enum FinishReason {
    STOP("stop"),
    LENGTH("length"),
    CANCELLED("cancelled");

    private final String wireValue;

    FinishReason(String wireValue) {
        this.wireValue = wireValue;
    }

    public String wireValue() {
        return wireValue;
    }
}
