package io.xcomposer.evaluation;

/**
 * One out-of-domain check.
 *
 * @param expected what counts as passing
 * @param outcome what happened, for the report
 */
public record OutOfDomainResult(String check, String expected, String outcome, boolean passed) {}
