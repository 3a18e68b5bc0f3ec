package io.xcomposer.inference.server;

import java.nio.file.Path;

/** The small test repository built by src/test/python/make_fixture_repo.py. */
public final class FixtureRepository {

    public static final Path ROOT = Path.of("src/test/resources/fixture-repo");

    private FixtureRepository() {}

    public static Path file(String model, String name) {
        return ROOT.resolve(model).resolve("1").resolve(name);
    }
}
