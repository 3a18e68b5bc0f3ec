package io.xcomposer.inference.server;

import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.boot.context.properties.ConfigurationPropertiesScan;

@SpringBootApplication
@ConfigurationPropertiesScan
public class CpuInferenceServerApplication {

    public static void main(String[] args) {
        SpringApplication.run(CpuInferenceServerApplication.class, args);
    }
}
