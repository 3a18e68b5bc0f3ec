package io.xcomposer.retrieval.config;

import io.xcomposer.common.health.RequiredModels;
import io.xcomposer.retrieval.index.LuceneVectorIndex;
import io.xcomposer.retrieval.index.VectorIndex;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.data.redis.connection.ReactiveRedisConnectionFactory;
import org.springframework.data.redis.core.ReactiveRedisTemplate;
import org.springframework.data.redis.serializer.RedisSerializationContext;
import org.springframework.data.redis.serializer.RedisSerializer;

/** The gallery's infrastructure beans. */
@Configuration(proxyBeanMethods = false)
@EnableConfigurationProperties(RetrievalProperties.class)
class RetrievalConfiguration {

    /** String keys, raw byte values: the catalog stores image bytes and float32 vectors next to UTF-8 fields. */
    @Bean
    ReactiveRedisTemplate<String, byte[]> galleryRedisTemplate(ReactiveRedisConnectionFactory connectionFactory) {
        RedisSerializationContext<String, byte[]> context =
                RedisSerializationContext.<String, byte[]>newSerializationContext(RedisSerializer.string())
                        .value(RedisSerializer.byteArray())
                        .hashKey(RedisSerializer.string())
                        .hashValue(RedisSerializer.byteArray())
                        .build();
        return new ReactiveRedisTemplate<>(connectionFactory, context);
    }

    /** Ingest and search embed with both models; without them the service is not ready. */
    @Bean
    RequiredModels requiredModels(RetrievalProperties properties) {
        return RequiredModels.of(properties.imageModel(), properties.textModel());
    }

    @Bean(destroyMethod = "close")
    VectorIndex vectorIndex(RetrievalProperties properties) {
        return LuceneVectorIndex.open(properties.indexPath(), properties.searchCandidates());
    }
}
