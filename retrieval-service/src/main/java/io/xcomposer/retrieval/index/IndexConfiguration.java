package io.xcomposer.retrieval.index;

import io.xcomposer.retrieval.config.RetrievalProperties;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/** The vector index on local disk; declared here so that {@code config} knows nothing of the index. */
@Configuration(proxyBeanMethods = false)
@EnableConfigurationProperties(IndexProperties.class)
class IndexConfiguration {

    @Bean(destroyMethod = "close")
    VectorIndex vectorIndex(RetrievalProperties properties, IndexProperties settings) {
        return LuceneVectorIndex.open(properties.indexPath(), properties.searchCandidates(), settings);
    }
}
