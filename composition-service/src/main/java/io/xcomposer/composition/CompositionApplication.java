package io.xcomposer.composition;

import io.xcomposer.common.health.RequiredModels;
import io.xcomposer.composition.config.CompositionProperties;
import io.xcomposer.composition.retrieval.RetrievalProperties;
import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.annotation.Bean;

@SpringBootApplication
@EnableConfigurationProperties({CompositionProperties.class, RetrievalProperties.class})
public class CompositionApplication {

    /** Composition cannot write without the llm nor select images without the vision encoder. */
    @Bean
    RequiredModels requiredModels(CompositionProperties properties) {
        return RequiredModels.of(properties.llmModel(), properties.visionModel());
    }

    public static void main(String[] args) {
        SpringApplication.run(CompositionApplication.class, args);
    }
}
