package io.xcomposer.common.health;

import java.util.List;

/**
 * The models a service cannot work without. Declaring this bean turns on a {@link ModelServerWatch} for them and
 * the {@code modelServer} health contributor of the readiness group.
 *
 * @param names model names on the model server
 */
public record RequiredModels(List<String> names) {

    public RequiredModels {
        names = List.copyOf(names);
    }

    public static RequiredModels of(String... names) {
        return new RequiredModels(List.of(names));
    }
}
