package io.xcomposer.inference.client.tensor;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.protobuf.ByteString;
import io.xcomposer.inference.grpc.InferTensorContents;
import io.xcomposer.inference.grpc.ModelInferRequest;
import io.xcomposer.inference.grpc.ModelInferRequest.InferInputTensor;
import io.xcomposer.inference.grpc.ModelInferResponse;
import java.nio.ByteBuffer;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class TensorCodecTests {

    @Test
    void bytes_isLittleEndianLengthThenData() {
        Tensor tensor = Tensor.strings("text", new long[] {3}, List.of("ab", "", "é"));

        assertThat(bytesOf(tensor))
                .containsExactly(
                        0x02, 0x00, 0x00, 0x00, 'a', 'b', 0x00, 0x00, 0x00, 0x00, 0x02, 0x00, 0x00, 0x00, 0xc3, 0xa9);
        assertThat(tensor.asStrings()).containsExactly("ab", "", "é");
    }

    @Test
    void bytes_rejectsLengthsThatDoNotAddUp() {
        ByteBuffer overlong = ByteBuffer.wrap(new byte[] {0x05, 0, 0, 0, 'a', 'b'});
        ByteBuffer twoElements = ByteBuffer.wrap(new byte[] {0x01, 0, 0, 0, 'a', 0x00, 0, 0, 0});

        assertThatThrownBy(() -> new Tensor("t", "BYTES", new long[] {1}, overlong))
                .isInstanceOf(TensorFormatException.class)
                .hasMessageContaining("claims 5 bytes, only 2 left");
        assertThatThrownBy(() -> new Tensor("t", "BYTES", new long[] {1}, twoElements))
                .isInstanceOf(TensorFormatException.class)
                .hasMessageContaining("needs 1 elements, got 2");
    }

    @Test
    void fixedSizeTypes_areLittleEndianRowMajor() {
        assertThat(bytesOf(Tensor.fp32("f", new long[] {2}, new float[] {1.0f, -2.0f})))
                .containsExactly(0x00, 0x00, 0x80, 0x3f, 0x00, 0x00, 0x00, 0xc0);
        assertThat(bytesOf(Tensor.int32("i", new long[] {1, 2}, new int[] {1, -2})))
                .containsExactly(0x01, 0x00, 0x00, 0x00, 0xfe, 0xff, 0xff, 0xff);
        assertThat(bytesOf(Tensor.int64("l", new long[] {1}, new long[] {0x0102030405060708L})))
                .containsExactly(0x08, 0x07, 0x06, 0x05, 0x04, 0x03, 0x02, 0x01);
        assertThat(bytesOf(Tensor.bool("b", new long[] {3}, new boolean[] {true, false, true})))
                .containsExactly(0x01, 0x00, 0x01);
        assertThat(bytesOf(Tensor.fp16("h", new long[] {3}, new float[] {1.0f, 0x1p-24f, Float.NEGATIVE_INFINITY})))
                .containsExactly(0x00, 0x3c, 0x01, 0x00, 0x00, 0xfc);
    }

    @Test
    void accessors_readBackWhatFactoriesWrote() {
        assertThat(Tensor.fp32("f", new long[] {2, 2}, new float[] {1, 2, 3, 4}).asFloats())
                .containsExactly(1, 2, 3, 4);
        assertThat(Tensor.fp16("h", new long[] {2}, new float[] {0.5f, 65504f}).asFloats())
                .containsExactly(0.5f, 65504f);
        assertThat(Tensor.int64("l", new long[] {2}, new long[] {-1, 7}).asLongs())
                .containsExactly(-1, 7);
        assertThat(Tensor.bool("b", new long[] {2}, new boolean[] {false, true}).asBooleans())
                .containsExactly(false, true);
        assertThat(Tensor.fp32("f", new long[] {2, 3}, new float[6]).elementCount())
                .isEqualTo(6);
    }

    @Test
    void accessor_ofTheWrongTypeFailsNamingBoth() {
        Tensor tensor = Tensor.int32("max_tokens", new long[] {1}, new int[] {5});

        assertThatThrownBy(tensor::asFloats).hasMessage("tensor 'max_tokens' is INT32, not FP32 or FP16");
    }

    @Test
    void constructor_rejectsByteLengthNotMatchingShape() {
        ByteBuffer sevenBytes = ByteBuffer.allocate(7);

        assertThatThrownBy(() -> new Tensor("pixel_values", "FP32", new long[] {1, 2}, sevenBytes))
                .isInstanceOf(TensorFormatException.class)
                .hasMessage("tensor 'pixel_values' FP32 [1, 2] needs 8 bytes, got 7");
    }

    @Test
    void request_roundTripsThroughRawInputContents() {
        Tensor text = Tensor.strings("text_input", new long[] {1}, List.of("hi"));
        Tensor seed = Tensor.int64("seed", new long[] {1}, new long[] {42});
        ModelInferRequest.Builder request = ModelInferRequest.newBuilder();

        TensorCodec.addInputs(request, List.of(text, seed));

        assertThat(request.getInputs(1).getDatatype()).isEqualTo("INT64");
        assertThat(request.getRawInputContents(0).toByteArray()).containsExactly(0x02, 0, 0, 0, 'h', 'i');
        assertThat(TensorCodec.readInputs(request.build())).containsExactly(text, seed);
    }

    @Test
    void readInputs_acceptsTypedContentsAndNarrowsSmallIntegers() {
        ModelInferRequest request = ModelInferRequest.newBuilder()
                .addInputs(InferInputTensor.newBuilder()
                        .setName("small")
                        .setDatatype("INT8")
                        .addShape(2)
                        .setContents(InferTensorContents.newBuilder()
                                .addIntContents(-1)
                                .addIntContents(3)))
                .addInputs(InferInputTensor.newBuilder()
                        .setName("x")
                        .setDatatype("FP32")
                        .addShape(1)
                        .setContents(InferTensorContents.newBuilder().addFp32Contents(1.0f)))
                .addInputs(InferInputTensor.newBuilder()
                        .setName("s")
                        .setDatatype("BYTES")
                        .addShape(1)
                        .setContents(InferTensorContents.newBuilder().addBytesContents(ByteString.copyFromUtf8("ok"))))
                .build();

        List<Tensor> inputs = TensorCodec.readInputs(request);

        assertThat(bytesOf(inputs.get(0))).containsExactly(0xff, 0x03);
        assertThat(bytesOf(inputs.get(1))).containsExactly(0x00, 0x00, 0x80, 0x3f);
        assertThat(inputs.get(2).asStrings()).containsExactly("ok");
    }

    @Test
    void readInputs_rejectsContentsMixedWithRaw() {
        ModelInferRequest request = ModelInferRequest.newBuilder()
                .addInputs(InferInputTensor.newBuilder()
                        .setName("x")
                        .setDatatype("FP32")
                        .addShape(1)
                        .setContents(InferTensorContents.newBuilder().addFp32Contents(1.0f)))
                .addRawInputContents(ByteString.copyFrom(new byte[4]))
                .build();

        assertThatThrownBy(() -> TensorCodec.readInputs(request))
                .isInstanceOf(TensorFormatException.class)
                .hasMessageContaining("contents field must not be specified when using raw_input_contents for 'x'");
    }

    @Test
    void readInputs_rejectsFp16InTypedContentsAndCountMismatch() {
        InferTensorContents oneFloat =
                InferTensorContents.newBuilder().addFp32Contents(1.0f).build();
        ModelInferRequest fp16 = ModelInferRequest.newBuilder()
                .addInputs(InferInputTensor.newBuilder()
                        .setName("h")
                        .setDatatype("FP16")
                        .addShape(1)
                        .setContents(oneFloat))
                .build();
        ModelInferRequest tooFew = ModelInferRequest.newBuilder()
                .addInputs(InferInputTensor.newBuilder()
                        .setName("f")
                        .setDatatype("FP32")
                        .addShape(2)
                        .setContents(oneFloat))
                .build();

        assertThatThrownBy(() -> TensorCodec.readInputs(fp16))
                .hasMessage("tensor 'h': FP16 must be sent as raw contents");
        assertThatThrownBy(() -> TensorCodec.readInputs(tooFew))
                .hasMessage("tensor 'f' needs 2 elements in contents, got 1");
    }

    @Test
    void outputs_roundTripThroughRawOutputContentsByName() {
        Tensor embedding = Tensor.fp32("embedding", new long[] {1, 2}, new float[] {0.6f, 0.8f});
        Tensor reason = Tensor.strings("finish_reason", new long[] {1}, List.of("stop"));
        ModelInferResponse.Builder response = ModelInferResponse.newBuilder();

        TensorCodec.addOutputs(response, List.of(embedding, reason));
        Map<String, Tensor> outputs = TensorCodec.readOutputs(response.build());

        assertThat(outputs).containsOnlyKeys("embedding", "finish_reason");
        assertThat(outputs.get("embedding").asFloats()).containsExactly(0.6f, 0.8f);
        assertThat(outputs.get("finish_reason").asStrings()).containsExactly("stop");
    }

    @Test
    void batchDimension_isPrependedOnlyForBatchingModels() {
        assertThat(TensorShapes.withBatchDimension(new long[] {3, 64, 64}, 8)).containsExactly(1, 3, 64, 64);
        assertThat(TensorShapes.withBatchDimension(new long[] {3, 64, 64}, 8, 4))
                .containsExactly(4, 3, 64, 64);
        assertThat(TensorShapes.withBatchDimension(new long[] {1}, 0)).containsExactly(1);
        assertThatThrownBy(() -> TensorShapes.withBatchDimension(new long[] {1}, 2, 3))
                .hasMessage("batch size 3 outside 1..2");
    }

    @Test
    void requireCompatible_checksDimsWildcardsAndBatchSize() {
        assertThat(TensorShapes.requireCompatible("pixel_values", new long[] {2, 3, 64, 64}, new long[] {3, 64, 64}, 4))
                .isEqualTo(2);
        assertThat(TensorShapes.requireCompatible("stop_words", new long[] {5}, new long[] {-1}, 0))
                .isEqualTo(1);
        assertThatThrownBy(() -> TensorShapes.requireCompatible(
                        "pixel_values", new long[] {3, 64, 64}, new long[] {3, 64, 64}, 4))
                .hasMessage("input 'pixel_values' has shape [3, 64, 64], expected [-1] + [3, 64, 64]");
        assertThatThrownBy(() -> TensorShapes.requireCompatible("x", new long[] {9, 1}, new long[] {1}, 8))
                .hasMessage("input 'x' batch size 9 outside 1..8");
    }

    private static int[] bytesOf(Tensor tensor) {
        ByteBuffer data = tensor.data();
        int[] bytes = new int[data.remaining()];
        for (int i = 0; i < bytes.length; i++) {
            bytes[i] = data.get() & 0xff;
        }
        return bytes;
    }
}
