package io.xcomposer.inference.server.tensor;

import ai.onnxruntime.OnnxJavaType;
import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import io.xcomposer.inference.client.tensor.Tensor;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * Moves raw tensors in and out of ONNX Runtime without per-element conversion: Triton's raw layout is
 * little-endian row-major, which is how ONNX Runtime holds tensors on the little-endian CPUs this runs on.
 */
public final class OrtTensors {

    static {
        if (ByteOrder.nativeOrder() != ByteOrder.LITTLE_ENDIAN) {
            throw new IllegalStateException("raw tensor transfer assumes a little-endian CPU");
        }
    }

    private OrtTensors() {}

    public static OnnxTensor toOrt(OrtEnvironment environment, Tensor tensor) throws OrtException {
        ByteBuffer data = tensor.data();
        ByteBuffer direct = ByteBuffer.allocateDirect(data.remaining()).order(ByteOrder.nativeOrder());
        direct.put(data).flip();
        return OnnxTensor.createTensor(environment, direct, tensor.shape(), onnxType(tensor.datatype()));
    }

    public static Tensor fromOrt(String name, OnnxTensor tensor) {
        return new Tensor(
                name, datatype(tensor.getInfo().type), tensor.getInfo().getShape(), tensor.getByteBuffer());
    }

    private static OnnxJavaType onnxType(String datatype) {
        return switch (datatype) {
            case "BOOL" -> OnnxJavaType.BOOL;
            case "UINT8" -> OnnxJavaType.UINT8;
            case "INT8" -> OnnxJavaType.INT8;
            case "INT16" -> OnnxJavaType.INT16;
            case "INT32" -> OnnxJavaType.INT32;
            case "INT64" -> OnnxJavaType.INT64;
            case "FP16" -> OnnxJavaType.FLOAT16;
            case "BF16" -> OnnxJavaType.BFLOAT16;
            case "FP32" -> OnnxJavaType.FLOAT;
            case "FP64" -> OnnxJavaType.DOUBLE;
            default -> throw new IllegalArgumentException("datatype " + datatype + " cannot be passed to a graph raw");
        };
    }

    private static String datatype(OnnxJavaType type) {
        return switch (type) {
            case BOOL -> "BOOL";
            case UINT8 -> "UINT8";
            case INT8 -> "INT8";
            case INT16 -> "INT16";
            case INT32 -> "INT32";
            case INT64 -> "INT64";
            case FLOAT16 -> "FP16";
            case BFLOAT16 -> "BF16";
            case FLOAT -> "FP32";
            case DOUBLE -> "FP64";
            default -> throw new IllegalArgumentException("graph output type " + type + " is not supported");
        };
    }
}
