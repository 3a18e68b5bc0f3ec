package io.xcomposer.comprehension;

import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;

@SpringBootApplication
public class ComprehensionApplication {

    public static void main(String[] args) {
        SpringApplication.run(ComprehensionApplication.class, args);
    }
}
