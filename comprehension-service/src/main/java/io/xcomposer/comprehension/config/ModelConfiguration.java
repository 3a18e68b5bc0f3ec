package io.xcomposer.comprehension.config;

import io.xcomposer.common.health.ModelServerWatch;
import io.xcomposer.common.health.RequiredModels;
import io.xcomposer.inference.client.TritonClient;
import io.xcomposer.inference.client.image.ImageLimits;
import io.xcomposer.inference.client.image.ImagePreprocessor;
import io.xcomposer.inference.client.model.LlmSpec;
import io.xcomposer.inference.client.model.VisionSpec;
import io.xcomposer.inference.grpc.ModelConfig;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.apache.commons.codec.digest.DigestUtils;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import reactor.core.publisher.Mono;

/**
 * Reads the models' specs from their {@code ModelConfig}, so nothing about the model is hard-coded here: in the
 * background, each time the model server becomes ready (the first time, and again after a restart, which may
 * bring new models), never blocking start-up.
 */
@Configuration(proxyBeanMethods = false)
@EnableConfigurationProperties({
    ComprehensionProperties.class,
    FlowControlProperties.class,
    SessionProperties.class,
    FeatureCacheProperties.class
})
class ModelConfiguration {

    /** Bump when the Java preprocessing changes, so cached features computed by the old code are not reused. */
    static final String PREPROCESSING_VERSION = "pillow-bicubic-v1";

    static final Duration NOT_LOADED_RETRY_AFTER = Duration.ofSeconds(2);

    private static final Logger log = LoggerFactory.getLogger(ModelConfiguration.class);

    @Bean
    RequiredModels requiredModels(ComprehensionProperties properties) {
        return RequiredModels.of(properties.llmModel(), properties.visionModel());
    }

    @Bean
    ModelSpecsSource modelSpecs(TritonClient client, ModelServerWatch watch, ComprehensionProperties properties) {
        ModelSpecsSource source = new ModelSpecsSource(specs -> new ImagePreprocessor(
                specs.vision(), new ImageLimits(properties.imageMaxBytes().toBytes(), properties.imageMaxPixels())));
        watch.onReady(() -> read(client, properties).doOnNext(source::set));
        return source;
    }

    private static Mono<ModelSpecs> read(TritonClient client, ComprehensionProperties properties) {
        return Mono.zip(
                        client.modelConfig(properties.llmModel()),
                        client.modelConfig(properties.visionModel()),
                        client.modelMetadata(properties.visionModel()))
                .map(configs -> specs(
                        properties,
                        configs.getT1(),
                        configs.getT2(),
                        configs.getT3().getVersionsList()));
    }

    private static ModelSpecs specs(
            ComprehensionProperties properties,
            ModelConfig llmConfig,
            ModelConfig visionConfig,
            List<String> visionVersions) {
        LlmSpec llm = LlmSpec.fromConfig(llmConfig);
        VisionSpec vision = VisionSpec.fromConfig(visionConfig);
        if (llm.imageTokens() != vision.imageTokens() || llm.hiddenSize() != vision.hiddenSize()) {
            throw new IllegalStateException("llm expects [" + llm.imageTokens() + ", " + llm.hiddenSize()
                    + "] image embeddings but the vision encoder produces [" + vision.imageTokens() + ", "
                    + vision.hiddenSize() + "]");
        }
        String fingerprint = fingerprint(visionConfig, visionVersions);
        log.info(
                "models ready: {} (context {}, {} image tokens), {} {}x{} fingerprint {}",
                properties.llmModel(),
                llm.contextLength(),
                llm.imageTokens(),
                properties.visionModel(),
                vision.imageSize(),
                vision.imageSize(),
                fingerprint);
        return new ModelSpecs(llm, vision, visionConfig.getMaxBatchSize(), fingerprint);
    }

    private static String fingerprint(ModelConfig config, List<String> versions) {
        Map<String, String> parameters = new TreeMap<>();
        config.getParametersMap().forEach((key, value) -> parameters.put(key, value.getStringValue()));
        String identity = config.getName() + "|" + versions + "|" + config.getInputList() + "|" + config.getOutputList()
                + "|" + parameters + "|" + PREPROCESSING_VERSION;
        return DigestUtils.sha256Hex(identity).substring(0, 16);
    }
}
