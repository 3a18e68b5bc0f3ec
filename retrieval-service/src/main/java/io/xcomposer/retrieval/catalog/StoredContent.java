package io.xcomposer.retrieval.catalog;

/** The bytes of a stored image with what the content endpoint needs for its headers. */
public record StoredContent(byte[] bytes, String contentType, String sha256) {}
