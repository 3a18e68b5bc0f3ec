package io.xcomposer.retrieval.index;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/**
 * Lucene scores vectors with the Panama Vector API only when the incubator module is in the boot layer; otherwise it
 * silently falls back to scalar code. The tests (and the benchmark figures) run with retrieval-service/jvm.options,
 * the same file scripts/run and the Dockerfile pass, so this fails if that file or its wiring goes missing.
 */
class VectorApiModuleTests {

    @Test
    void theVectorApiModuleIsResolvedInThisJvm() {
        assertThat(ModuleLayer.boot().findModule("jdk.incubator.vector"))
                .as("--add-modules jdk.incubator.vector from retrieval-service/jvm.options")
                .isPresent();
    }
}
