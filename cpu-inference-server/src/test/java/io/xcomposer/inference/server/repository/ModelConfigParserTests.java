package io.xcomposer.inference.server.repository;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.xcomposer.inference.grpc.DataType;
import io.xcomposer.inference.grpc.ModelConfig;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ModelConfigParserTests {

    @Test
    void parse_readsTritonConfigAndSkipsFieldsOutsideTheSubset(@TempDir Path dir) throws IOException {
        Path file = dir.resolve("config.pbtxt");
        Files.writeString(file, """
                name: "vision_encoder"
                backend: "onnxruntime"
                max_batch_size: 8
                input [ { name: "pixel_values" data_type: TYPE_FP32 dims: [ 3, 224, 224 ] } ]
                output [ { name: "image_embeds" data_type: TYPE_FP32 dims: [ -1, -1 ] } ]
                instance_group [ { count: 2 kind: KIND_CPU } ]
                optimization { graph { level: 1 } }
                model_warmup [ { name: "w" batch_size: 1 } ]
                dynamic_batching { max_queue_delay_microseconds: 1000 }
                parameters { key: "intra_op_thread_count" value: { string_value: "4" } }
                """);

        ModelConfig config = ModelConfigParser.parse(file);

        assertThat(config.getName()).isEqualTo("vision_encoder");
        assertThat(config.getMaxBatchSize()).isEqualTo(8);
        assertThat(config.getInput(0).getDataType()).isEqualTo(DataType.TYPE_FP32);
        assertThat(config.getInput(0).getDimsList()).containsExactly(3L, 224L, 224L);
        assertThat(config.getDynamicBatching().getMaxQueueDelayMicroseconds()).isEqualTo(1000);
        assertThat(config.getParametersOrThrow("intra_op_thread_count").getStringValue())
                .isEqualTo("4");
    }

    @Test
    void validate_fillsAMissingNameFromTheFolder() {
        ModelConfig config = ModelConfig.newBuilder()
                .addInput(io.xcomposer.inference.grpc.ModelInput.newBuilder().setName("x"))
                .addOutput(io.xcomposer.inference.grpc.ModelOutput.newBuilder().setName("y"))
                .build();

        assertThat(ModelConfigParser.validate("folder", config).getName()).isEqualTo("folder");
    }

    @Test
    void validate_rejectsANameThatDiffersFromTheFolderAndConfigsWithoutTensors() {
        ModelConfig named = ModelConfig.newBuilder().setName("other").build();

        assertThatThrownBy(() -> ModelConfigParser.validate("folder", named))
                .hasMessageContaining("does not match folder 'folder'");
        assertThatThrownBy(() -> ModelConfigParser.validate("folder", ModelConfig.getDefaultInstance()))
                .hasMessageContaining("must declare inputs and outputs");
    }
}
