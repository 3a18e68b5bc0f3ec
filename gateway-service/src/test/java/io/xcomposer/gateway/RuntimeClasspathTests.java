package io.xcomposer.gateway;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import java.io.File;
import java.io.IOException;
import java.net.MalformedURLException;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The gateway owns no model: what it runs with (its classes and its runtime dependencies, as Maven resolved them into
 * {@code target/runtime-classpath.txt}) must hold no gRPC, inference client, image codec or ONNX Runtime. The test
 * classpath cannot tell, because the full-stack tests put the real services and their model server on it; so the
 * classes are looked up in a class loader of the runtime classpath alone, without the test's as parent.
 */
class RuntimeClasspathTests {

    private static final List<String> MODEL_CLASSES = List.of(
            "io.grpc.Channel",
            "io.xcomposer.inference.client.TritonClient",
            "io.xcomposer.common.inference.InferenceErrors",
            "com.twelvemonkeys.imageio.plugins.webp.WebPImageReaderSpi",
            "ai.onnxruntime.OrtEnvironment");

    @Test
    void theGatewayRunsWithoutModelLibraries() throws IOException {
        try (URLClassLoader runtime = runtimeClassLoader()) {
            // The loader does see the gateway and what it really uses, so an absent class below means absent.
            assertThat(load(runtime, "io.xcomposer.gateway.GatewayApplication")).isNotNull();
            assertThat(load(runtime, "io.xcomposer.common.error.ApiExceptionHandler"))
                    .isNotNull();
            assertThat(load(runtime, "org.springframework.web.server.WebFilter"))
                    .isNotNull();
            for (String modelClass : MODEL_CLASSES) {
                assertThat(catchThrowable(() -> Class.forName(modelClass, false, runtime)))
                        .as(modelClass + " must not be on the gateway's runtime classpath")
                        .isInstanceOf(ClassNotFoundException.class);
            }
        }
    }

    private static Class<?> load(ClassLoader loader, String name) {
        try {
            return Class.forName(name, false, loader);
        } catch (ClassNotFoundException missing) {
            throw new AssertionError(name + " is not on the runtime classpath", missing);
        }
    }

    private static URLClassLoader runtimeClassLoader() throws IOException {
        List<URL> urls = new ArrayList<>();
        urls.add(url(Path.of(property("xcomposer.main-classes"))));
        String classpath = Files.readString(Path.of(property("xcomposer.runtime-classpath")))
                .trim();
        for (String entry : classpath.split(File.pathSeparator)) {
            if (!entry.isBlank()) {
                urls.add(url(Path.of(entry)));
            }
        }
        return new URLClassLoader(urls.toArray(URL[]::new), ClassLoader.getPlatformClassLoader());
    }

    private static String property(String name) {
        String value = System.getProperty(name);
        assertThat(value)
                .as("system property " + name + " (set by the surefire configuration)")
                .isNotBlank();
        return value;
    }

    private static URL url(Path path) throws MalformedURLException {
        return path.toUri().toURL();
    }
}
