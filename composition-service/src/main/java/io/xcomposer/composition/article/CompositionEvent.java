package io.xcomposer.composition.article;

/**
 * One entry of a composition's event log.
 *
 * @param seq its position in the log (1, 2, …), sent as the SSE {@code id:}
 * @param type the SSE {@code event:} name
 * @param data the JSON payload
 */
public record CompositionEvent(long seq, String type, String data) {}
