package io.xcomposer.composition;

import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;

@SpringBootApplication
public class CompositionApplication {

    public static void main(String[] args) {
        SpringApplication.run(CompositionApplication.class, args);
    }
}
