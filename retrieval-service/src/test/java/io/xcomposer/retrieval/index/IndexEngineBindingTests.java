package io.xcomposer.retrieval.index;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Map;
import org.junit.jupiter.api.Test;
import org.springframework.boot.context.properties.bind.BindException;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.boot.context.properties.source.MapConfigurationPropertySource;

/** {@code xcomposer.retrieval.index.engine} as Spring binds it: a known value, the default, and a misspelt one. */
class IndexEngineBindingTests {

    private static IndexProperties bind(Map<String, String> settings) {
        return new Binder(new MapConfigurationPropertySource(settings))
                .bindOrCreate(IndexProperties.PREFIX, IndexProperties.class);
    }

    @Test
    void luceneByDefault_andOpenSearchWhenSet() {
        assertThat(bind(Map.of()).engine()).isEqualTo(IndexProperties.Engine.LUCENE);
        assertThat(bind(Map.of(IndexConfiguration.ENGINE, "opensearch")).engine())
                .isEqualTo(IndexProperties.Engine.OPENSEARCH);
        assertThat(IndexProperties.defaults().engine()).isEqualTo(IndexProperties.Engine.LUCENE);
    }

    @Test
    void aMisspeltEngineFailsInsteadOfMeaningLucene() {
        assertThatThrownBy(() -> bind(Map.of(IndexConfiguration.ENGINE, "opensaerch")))
                .isInstanceOf(BindException.class);
    }
}
