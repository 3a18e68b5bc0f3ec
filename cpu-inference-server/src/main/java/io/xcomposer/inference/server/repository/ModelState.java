package io.xcomposer.inference.server.repository;

/** Triton's model states as reported by RepositoryIndex; this server never unloads, so two suffice. */
public enum ModelState {
    READY,
    UNAVAILABLE
}
