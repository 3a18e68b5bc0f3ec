package io.xcomposer.inference.server.repository;

import io.xcomposer.inference.grpc.ModelConfig;
import io.xcomposer.inference.grpc.ModelVersionPolicy;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

/**
 * Picks the one version folder this server serves. Triton can serve several versions at once; this server
 * serves the newest one the {@code version_policy} allows (Triton's default policy is {@code latest: 1}).
 */
final class VersionPolicy {

    private VersionPolicy() {}

    static String select(Path modelFolder, ModelConfig config) throws IOException {
        List<Long> available;
        try (Stream<Path> children = Files.list(modelFolder)) {
            available = children.filter(Files::isDirectory)
                    .map(child -> child.getFileName().toString())
                    .filter(name -> name.matches("[0-9]+"))
                    .map(Long::parseLong)
                    .toList();
        }
        ModelVersionPolicy policy = config.getVersionPolicy();
        List<Long> allowed = policy.hasSpecific()
                ? available.stream()
                        .filter(policy.getSpecific().getVersionsList()::contains)
                        .toList()
                : available;
        return allowed.stream()
                .max(Long::compare)
                .map(String::valueOf)
                .orElseThrow(() ->
                        new IllegalArgumentException("no version folder matches the version policy in " + modelFolder));
    }
}
