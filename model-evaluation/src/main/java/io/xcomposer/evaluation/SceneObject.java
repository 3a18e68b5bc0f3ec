package io.xcomposer.evaluation;

/**
 * One shape of a synthetic scene, as the generator describes it (model-repository/tiny/training/scenes.py):
 * position is one of the nine English cell names ("top left" ... "bottom right") whatever the caption's language.
 */
public record SceneObject(String shape, String colour, String size, String position) {}
