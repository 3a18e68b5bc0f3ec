package io.xcomposer.comprehension.config;

import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import io.xcomposer.inference.client.TritonClient;
import io.xcomposer.inference.client.config.InferenceClientProperties;
import io.xcomposer.inference.grpc.ModelConfig;
import io.xcomposer.inference.client.image.ImageLimits;
import io.xcomposer.inference.client.image.ImagePreprocessor;
import io.xcomposer.inference.client.model.LlmSpec;
import io.xcomposer.inference.client.model.VisionSpec;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

import static java.nio.charset.StandardCharsets.UTF_8;

/**
 * Start-up: waits until the inference server and both models are ready, then reads their specs from
 * {@code ModelConfig}, so nothing about the model is hard-coded here.
 */
@Configuration(proxyBeanMethods = false)
@EnableConfigurationProperties({ ComprehensionProperties.class, FlowControlProperties.class, SessionProperties.class,
		FeatureCacheProperties.class })
class ModelConfiguration {

	/** Bump when the Java preprocessing changes, so cached features computed by the old code are not reused. */
	static final String PREPROCESSING_VERSION = "pillow-bicubic-v1";

	private static final Logger log = LoggerFactory.getLogger(ModelConfiguration.class);

	@Bean
	ModelSpecs modelSpecs(TritonClient client, InferenceClientProperties inference, ComprehensionProperties properties) {
		client.awaitReady(inference.readyTimeout(), properties.llmModel(), properties.visionModel()).block();
		ModelConfig llmConfig = client.modelConfig(properties.llmModel()).block(inference.unaryDeadline());
		ModelConfig visionConfig = client.modelConfig(properties.visionModel()).block(inference.unaryDeadline());
		List<String> visionVersions = client.modelMetadata(properties.visionModel())
			.block(inference.unaryDeadline())
			.getVersionsList();
		LlmSpec llm = LlmSpec.fromConfig(llmConfig);
		VisionSpec vision = VisionSpec.fromConfig(visionConfig);
		if (llm.imageTokens() != vision.imageTokens() || llm.hiddenSize() != vision.hiddenSize()) {
			throw new IllegalStateException("llm expects [" + llm.imageTokens() + ", " + llm.hiddenSize()
					+ "] image embeddings but the vision encoder produces [" + vision.imageTokens() + ", "
					+ vision.hiddenSize() + "]");
		}
		String fingerprint = fingerprint(visionConfig, visionVersions);
		log.info("models ready: {} (context {}, {} image tokens), {} {}x{} fingerprint {}", properties.llmModel(),
				llm.contextLength(), llm.imageTokens(), properties.visionModel(), vision.imageSize(),
				vision.imageSize(), fingerprint);
		return new ModelSpecs(llm, vision, visionConfig.getMaxBatchSize(), fingerprint);
	}

	@Bean
	ImagePreprocessor imagePreprocessor(ModelSpecs specs, ComprehensionProperties properties) {
		return new ImagePreprocessor(specs.vision(),
				new ImageLimits(properties.imageMaxBytes().toBytes(), properties.imageMaxPixels()));
	}

	private static String fingerprint(ModelConfig config, List<String> versions) {
		Map<String, String> parameters = new TreeMap<>();
		config.getParametersMap().forEach((key, value) -> parameters.put(key, value.getStringValue()));
		String identity = config.getName() + "|" + versions + "|" + config.getInputList() + "|"
				+ config.getOutputList() + "|" + parameters + "|" + PREPROCESSING_VERSION;
		return ImagePreprocessor.sha256(identity.getBytes(UTF_8)).substring(0, 16);
	}

}
