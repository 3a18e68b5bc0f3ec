package io.xcomposer.composition;

import io.xcomposer.composition.config.CompositionProperties;
import io.xcomposer.composition.retrieval.RetrievalProperties;
import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.boot.context.properties.EnableConfigurationProperties;

@SpringBootApplication
@EnableConfigurationProperties({ CompositionProperties.class, RetrievalProperties.class })
public class CompositionApplication {

	public static void main(String[] args) {
		SpringApplication.run(CompositionApplication.class, args);
	}

}
