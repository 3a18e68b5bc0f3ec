package io.xcomposer.inference.server.config;

import ai.onnxruntime.OrtEnvironment;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

@Configuration(proxyBeanMethods = false)
class ServerConfiguration {

    /** ONNX Runtime's process-wide environment; sessions of all models share it. */
    @Bean
    OrtEnvironment ortEnvironment() {
        return OrtEnvironment.getEnvironment();
    }
}
