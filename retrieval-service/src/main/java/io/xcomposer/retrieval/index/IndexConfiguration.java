package io.xcomposer.retrieval.index;

import io.xcomposer.retrieval.config.RetrievalProperties;
import org.apache.hc.client5.http.auth.AuthScope;
import org.apache.hc.client5.http.auth.UsernamePasswordCredentials;
import org.apache.hc.client5.http.impl.auth.BasicCredentialsProvider;
import org.apache.hc.core5.http.HttpHost;
import org.opensearch.client.RestClient;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * The vector index, chosen by {@code xcomposer.retrieval.index.engine}: {@code lucene} (default, on local disk) or
 * {@code opensearch} (a k-NN index on an OpenSearch cluster). Declared here so that {@code config} knows nothing of
 * the index.
 */
@Configuration(proxyBeanMethods = false)
@EnableConfigurationProperties({IndexProperties.class, OpenSearchProperties.class})
class IndexConfiguration {

    static final String ENGINE = IndexProperties.PREFIX + ".engine";

    @Bean(destroyMethod = "close")
    @ConditionalOnProperty(name = ENGINE, havingValue = "lucene", matchIfMissing = true)
    VectorIndex vectorIndex(RetrievalProperties properties, IndexProperties settings) {
        return LuceneVectorIndex.open(properties.indexPath(), properties.searchCandidates(), settings);
    }

    @Bean(destroyMethod = "close")
    @ConditionalOnProperty(name = ENGINE, havingValue = "opensearch")
    VectorIndex openSearchVectorIndex(
            RetrievalProperties properties, IndexProperties settings, OpenSearchProperties cluster) {
        return OpenSearchVectorIndex.open(restClient(cluster), cluster, settings, properties.searchCandidates());
    }

    static RestClient restClient(OpenSearchProperties cluster) {
        HttpHost[] hosts = cluster.uris().stream()
                .map(uri -> new HttpHost(uri.getScheme(), uri.getHost(), uri.getPort()))
                .toArray(HttpHost[]::new);
        var builder = RestClient.builder(hosts);
        if (cluster.username() != null && cluster.password() != null) {
            var credentials = new BasicCredentialsProvider();
            credentials.setCredentials(
                    new AuthScope(null, -1),
                    new UsernamePasswordCredentials(
                            cluster.username(), cluster.password().toCharArray()));
            builder.setHttpClientConfigCallback(client -> client.setDefaultCredentialsProvider(credentials));
        }
        return builder.build();
    }
}
