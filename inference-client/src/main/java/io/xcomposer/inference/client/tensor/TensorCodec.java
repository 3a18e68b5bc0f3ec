package io.xcomposer.inference.client.tensor;

import com.google.protobuf.ByteString;
import io.xcomposer.inference.grpc.InferTensorContents;
import io.xcomposer.inference.grpc.ModelInferRequest;
import io.xcomposer.inference.grpc.ModelInferRequest.InferInputTensor;
import io.xcomposer.inference.grpc.ModelInferResponse;
import io.xcomposer.inference.grpc.ModelInferResponse.InferOutputTensor;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Converts between {@link Tensor} and the protocol: raw contents (little-endian, row-major, BYTES as 4-byte LE
 * length + bytes per element) and the typed {@code contents} field. Both directions are here because the client
 * and the CPU server each encode one side and decode the other.
 */
public final class TensorCodec {

    private static final int BYTES_LENGTH_PREFIX = 4;

    private TensorCodec() {}

    /** Appends the tensors as inputs with raw_input_contents, the form Triton needs for FP16 and prefers for all. */
    public static void addInputs(ModelInferRequest.Builder request, List<Tensor> tensors) {
        for (Tensor tensor : tensors) {
            request.addInputs(InferInputTensor.newBuilder()
                    .setName(tensor.name())
                    .setDatatype(tensor.datatype())
                    .addAllShape(boxed(tensor.shape())));
            request.addRawInputContents(ByteString.copyFrom(tensor.data()));
        }
    }

    /** Reads a request's inputs from raw_input_contents or, when there are none, from each input's contents. */
    public static List<Tensor> readInputs(ModelInferRequest request) {
        boolean raw = request.getRawInputContentsCount() > 0;
        if (raw && request.getRawInputContentsCount() != request.getInputsCount()) {
            throw new TensorFormatException("expected " + request.getInputsCount() + " raw_input_contents, got "
                    + request.getRawInputContentsCount());
        }
        List<Tensor> tensors = new ArrayList<>(request.getInputsCount());
        for (int i = 0; i < request.getInputsCount(); i++) {
            InferInputTensor input = request.getInputs(i);
            long[] shape = unboxed(input.getShapeList());
            if (raw && input.hasContents()) {
                throw new TensorFormatException("contents field must not be specified when using raw_input_contents"
                        + " for '" + input.getName() + "'");
            }
            tensors.add(
                    raw
                            ? fromRaw(input.getName(), input.getDatatype(), shape, request.getRawInputContents(i))
                            : fromContents(input.getName(), input.getDatatype(), shape, input.getContents()));
        }
        return tensors;
    }

    /** Appends the tensors as outputs with raw_output_contents, as Triton answers. */
    public static void addOutputs(ModelInferResponse.Builder response, Collection<Tensor> tensors) {
        for (Tensor tensor : tensors) {
            response.addOutputs(InferOutputTensor.newBuilder()
                    .setName(tensor.name())
                    .setDatatype(tensor.datatype())
                    .addAllShape(boxed(tensor.shape())));
            response.addRawOutputContents(ByteString.copyFrom(tensor.data()));
        }
    }

    /** A response's outputs by name, in response order, from raw_output_contents or each output's contents. */
    public static Map<String, Tensor> readOutputs(ModelInferResponse response) {
        boolean raw = response.getRawOutputContentsCount() > 0;
        if (raw && response.getRawOutputContentsCount() != response.getOutputsCount()) {
            throw new TensorFormatException("expected " + response.getOutputsCount() + " raw_output_contents, got "
                    + response.getRawOutputContentsCount());
        }
        Map<String, Tensor> tensors = new LinkedHashMap<>();
        for (int i = 0; i < response.getOutputsCount(); i++) {
            InferOutputTensor output = response.getOutputs(i);
            long[] shape = unboxed(output.getShapeList());
            Tensor tensor = raw
                    ? fromRaw(output.getName(), output.getDatatype(), shape, response.getRawOutputContents(i))
                    : fromContents(output.getName(), output.getDatatype(), shape, output.getContents());
            tensors.put(tensor.name(), tensor);
        }
        return tensors;
    }

    public static Tensor fromRaw(String name, String datatype, long[] shape, ByteString raw) {
        return new Tensor(name, datatype, shape, raw.asReadOnlyByteBuffer());
    }

    /**
     * Converts the typed {@code contents} form to a raw tensor. Narrow integers travel widened to 32 bits there and
     * are narrowed back; FP16 and BF16 have no typed field and must come raw.
     */
    public static Tensor fromContents(String name, String datatype, long[] shape, InferTensorContents contents) {
        TensorDatatype type = TensorDatatype.fromApiName(datatype);
        long count = TensorShapes.elementCount(shape);
        ByteBuffer data = switch (type) {
            case BOOL ->
                fixed(
                        type,
                        contents.getBoolContentsCount(),
                        count,
                        name,
                        (buffer, i) -> buffer.put((byte) (contents.getBoolContents(i) ? 1 : 0)));
            case INT8, UINT8 ->
                fixed(
                        type,
                        intCount(type, contents),
                        count,
                        name,
                        (buffer, i) -> buffer.put((byte) intAt(type, contents, i)));
            case INT16, UINT16 ->
                fixed(
                        type,
                        intCount(type, contents),
                        count,
                        name,
                        (buffer, i) -> buffer.putShort((short) intAt(type, contents, i)));
            case INT32, UINT32 ->
                fixed(
                        type,
                        intCount(type, contents),
                        count,
                        name,
                        (buffer, i) -> buffer.putInt(intAt(type, contents, i)));
            case INT64 ->
                fixed(
                        type,
                        contents.getInt64ContentsCount(),
                        count,
                        name,
                        (buffer, i) -> buffer.putLong(contents.getInt64Contents(i)));
            case UINT64 ->
                fixed(
                        type,
                        contents.getUint64ContentsCount(),
                        count,
                        name,
                        (buffer, i) -> buffer.putLong(contents.getUint64Contents(i)));
            case FP32 ->
                fixed(
                        type,
                        contents.getFp32ContentsCount(),
                        count,
                        name,
                        (buffer, i) -> buffer.putFloat(contents.getFp32Contents(i)));
            case FP64 ->
                fixed(
                        type,
                        contents.getFp64ContentsCount(),
                        count,
                        name,
                        (buffer, i) -> buffer.putDouble(contents.getFp64Contents(i)));
            case BYTES -> {
                requireCount(name, contents.getBytesContentsCount(), count);
                yield encodeBytes(contents.getBytesContentsList().stream()
                        .map(ByteString::toByteArray)
                        .toList());
            }
            case FP16, BF16 ->
                throw new TensorFormatException("tensor '" + name + "': " + datatype + " must be sent as raw contents");
        };
        return new Tensor(name, datatype, shape, data);
    }

    /**
     * Checks that {@code data} holds exactly the bytes the shape calls for: element count times element size, or
     * for BYTES exactly {@code count} length-prefixed elements with nothing left over.
     */
    public static void requireConsistent(String name, TensorDatatype type, long[] shape, ByteBuffer data) {
        long count = TensorShapes.elementCount(shape);
        if (type.isFixedSize()) {
            long expected = Math.multiplyExact(count, type.elementSize());
            if (data.remaining() != expected) {
                throw new TensorFormatException("tensor '" + name + "' " + type + " " + Arrays.toString(shape)
                        + " needs " + expected + " bytes, got " + data.remaining());
            }
            return;
        }
        long elements = forEachBytesElement(name, data.duplicate().order(ByteOrder.LITTLE_ENDIAN), null);
        if (elements != count) {
            throw new TensorFormatException("tensor '" + name + "' BYTES " + Arrays.toString(shape) + " needs " + count
                    + " elements, got " + elements);
        }
    }

    public static ByteBuffer encodeFp32(float[] values) {
        ByteBuffer buffer = allocate(values.length, 4);
        buffer.asFloatBuffer().put(values);
        return buffer;
    }

    public static ByteBuffer encodeFp16(float[] values) {
        ByteBuffer buffer = allocate(values.length, 2);
        for (float value : values) {
            buffer.putShort(Half.fromFloat(value));
        }
        return buffer.flip();
    }

    public static ByteBuffer encodeInt32(int[] values) {
        ByteBuffer buffer = allocate(values.length, 4);
        buffer.asIntBuffer().put(values);
        return buffer;
    }

    public static ByteBuffer encodeInt64(long[] values) {
        ByteBuffer buffer = allocate(values.length, 8);
        buffer.asLongBuffer().put(values);
        return buffer;
    }

    public static ByteBuffer encodeBool(boolean[] values) {
        ByteBuffer buffer = allocate(values.length, 1);
        for (boolean value : values) {
            buffer.put((byte) (value ? 1 : 0));
        }
        return buffer.flip();
    }

    public static ByteBuffer encodeBytes(List<byte[]> elements) {
        int size = 0;
        for (byte[] element : elements) {
            size = Math.addExact(size, BYTES_LENGTH_PREFIX + element.length);
        }
        ByteBuffer buffer = ByteBuffer.allocate(size).order(ByteOrder.LITTLE_ENDIAN);
        for (byte[] element : elements) {
            buffer.putInt(element.length).put(element);
        }
        return buffer.flip();
    }

    public static float[] decodeFp32(ByteBuffer data) {
        float[] values = new float[data.remaining() / 4];
        little(data).asFloatBuffer().get(values);
        return values;
    }

    public static float[] decodeFp16(ByteBuffer data) {
        ByteBuffer buffer = little(data);
        float[] values = new float[buffer.remaining() / 2];
        for (int i = 0; i < values.length; i++) {
            values[i] = Half.toFloat(buffer.getShort());
        }
        return values;
    }

    public static int[] decodeInt32(ByteBuffer data) {
        int[] values = new int[data.remaining() / 4];
        little(data).asIntBuffer().get(values);
        return values;
    }

    public static long[] decodeInt64(ByteBuffer data) {
        long[] values = new long[data.remaining() / 8];
        little(data).asLongBuffer().get(values);
        return values;
    }

    /** Any non-zero byte is true, as in C. */
    public static boolean[] decodeBool(ByteBuffer data) {
        ByteBuffer buffer = little(data);
        boolean[] values = new boolean[buffer.remaining()];
        for (int i = 0; i < values.length; i++) {
            values[i] = buffer.get() != 0;
        }
        return values;
    }

    public static List<byte[]> decodeBytes(ByteBuffer data) {
        List<byte[]> elements = new ArrayList<>();
        forEachBytesElement("BYTES", little(data), elements);
        return elements;
    }

    /** Walks length-prefixed elements, collecting them when {@code sink} is given; returns how many there were. */
    private static long forEachBytesElement(String name, ByteBuffer buffer, List<byte[]> sink) {
        long elements = 0;
        while (buffer.hasRemaining()) {
            if (buffer.remaining() < BYTES_LENGTH_PREFIX) {
                throw new TensorFormatException(
                        "tensor '" + name + "': BYTES element " + elements + " has a truncated length prefix");
            }
            long length = Integer.toUnsignedLong(buffer.getInt());
            if (length > buffer.remaining()) {
                throw new TensorFormatException("tensor '" + name + "': BYTES element " + elements + " claims " + length
                        + " bytes, only " + buffer.remaining() + " left");
            }
            if (sink != null) {
                byte[] element = new byte[(int) length];
                buffer.get(element);
                sink.add(element);
            } else {
                buffer.position(buffer.position() + (int) length);
            }
            elements++;
        }
        return elements;
    }

    private interface ElementWriter {

        void write(ByteBuffer buffer, int index);
    }

    private static ByteBuffer fixed(TensorDatatype type, int available, long count, String name, ElementWriter writer) {
        requireCount(name, available, count);
        ByteBuffer buffer = allocate(available, type.elementSize());
        for (int i = 0; i < available; i++) {
            writer.write(buffer, i);
        }
        return buffer.flip();
    }

    private static void requireCount(String name, int available, long count) {
        if (available != count) {
            throw new TensorFormatException(
                    "tensor '" + name + "' needs " + count + " elements in contents, got " + available);
        }
    }

    private static boolean isUnsigned(TensorDatatype type) {
        return type == TensorDatatype.UINT8 || type == TensorDatatype.UINT16 || type == TensorDatatype.UINT32;
    }

    private static int intCount(TensorDatatype type, InferTensorContents contents) {
        return isUnsigned(type) ? contents.getUintContentsCount() : contents.getIntContentsCount();
    }

    private static int intAt(TensorDatatype type, InferTensorContents contents, int index) {
        return isUnsigned(type) ? contents.getUintContents(index) : contents.getIntContents(index);
    }

    private static ByteBuffer allocate(int elements, int elementSize) {
        return ByteBuffer.allocate(Math.multiplyExact(elements, elementSize)).order(ByteOrder.LITTLE_ENDIAN);
    }

    private static ByteBuffer little(ByteBuffer data) {
        return data.duplicate().order(ByteOrder.LITTLE_ENDIAN);
    }

    private static List<Long> boxed(long[] shape) {
        return Arrays.stream(shape).boxed().toList();
    }

    private static long[] unboxed(List<Long> shape) {
        return shape.stream().mapToLong(Long::longValue).toArray();
    }
}
