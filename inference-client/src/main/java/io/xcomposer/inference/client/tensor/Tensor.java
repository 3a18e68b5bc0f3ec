package io.xcomposer.inference.client.tensor;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;

/**
 * One named tensor in Triton's raw form. The constructor checks that {@code data} holds exactly the bytes the
 * shape and datatype call for, so a {@code Tensor} is always well formed.
 *
 * @param name tensor name as in config.pbtxt
 * @param datatype Triton API datatype string, e.g. {@code "FP32"}, {@code "BYTES"}
 * @param shape concrete shape (no {@code -1}), including the batch dimension when the model batches
 * @param data raw contents, little-endian, row-major; kept as a read-only view positioned at 0
 */
public record Tensor(String name, String datatype, long[] shape, ByteBuffer data) {

    public Tensor {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(datatype, "datatype");
        shape = shape.clone();
        data = data.slice().asReadOnlyBuffer().order(ByteOrder.LITTLE_ENDIAN);
        TensorCodec.requireConsistent(name, TensorDatatype.fromApiName(datatype), shape, data);
    }

    public static Tensor fp32(String name, long[] shape, float[] values) {
        return new Tensor(name, "FP32", shape, TensorCodec.encodeFp32(values));
    }

    /** Stores {@code values} as binary16, rounding to nearest even. */
    public static Tensor fp16(String name, long[] shape, float[] values) {
        return new Tensor(name, "FP16", shape, TensorCodec.encodeFp16(values));
    }

    public static Tensor int32(String name, long[] shape, int[] values) {
        return new Tensor(name, "INT32", shape, TensorCodec.encodeInt32(values));
    }

    public static Tensor int64(String name, long[] shape, long[] values) {
        return new Tensor(name, "INT64", shape, TensorCodec.encodeInt64(values));
    }

    public static Tensor bool(String name, long[] shape, boolean[] values) {
        return new Tensor(name, "BOOL", shape, TensorCodec.encodeBool(values));
    }

    public static Tensor bytes(String name, long[] shape, List<byte[]> elements) {
        return new Tensor(name, "BYTES", shape, TensorCodec.encodeBytes(elements));
    }

    /** BYTES tensor of UTF-8 strings. */
    public static Tensor strings(String name, long[] shape, List<String> elements) {
        return bytes(
                name,
                shape,
                elements.stream()
                        .map(text -> text.getBytes(StandardCharsets.UTF_8))
                        .toList());
    }

    @Override
    public long[] shape() {
        return this.shape.clone();
    }

    /** A fresh read-only view, so callers cannot disturb each other's position. */
    @Override
    public ByteBuffer data() {
        return this.data.duplicate().order(ByteOrder.LITTLE_ENDIAN);
    }

    public TensorDatatype type() {
        return TensorDatatype.fromApiName(this.datatype);
    }

    public long elementCount() {
        return TensorShapes.elementCount(this.shape);
    }

    /** Values of an FP32 or FP16 tensor. */
    public float[] asFloats() {
        return switch (type()) {
            case FP32 -> TensorCodec.decodeFp32(data());
            case FP16 -> TensorCodec.decodeFp16(data());
            default -> throw wrongType("FP32 or FP16");
        };
    }

    public int[] asInts() {
        requireType(TensorDatatype.INT32);
        return TensorCodec.decodeInt32(data());
    }

    public long[] asLongs() {
        requireType(TensorDatatype.INT64);
        return TensorCodec.decodeInt64(data());
    }

    public boolean[] asBooleans() {
        requireType(TensorDatatype.BOOL);
        return TensorCodec.decodeBool(data());
    }

    public List<byte[]> asBytesList() {
        requireType(TensorDatatype.BYTES);
        return TensorCodec.decodeBytes(data());
    }

    /** BYTES elements decoded as UTF-8 (malformed sequences become U+FFFD). */
    public List<String> asStrings() {
        return asBytesList().stream()
                .map(bytes -> new String(bytes, StandardCharsets.UTF_8))
                .toList();
    }

    @Override
    public boolean equals(Object other) {
        return other instanceof Tensor tensor
                && this.name.equals(tensor.name)
                && this.datatype.equals(tensor.datatype)
                && Arrays.equals(this.shape, tensor.shape)
                && this.data.equals(tensor.data);
    }

    @Override
    public int hashCode() {
        return Objects.hash(this.name, this.datatype, Arrays.hashCode(this.shape), this.data);
    }

    @Override
    public String toString() {
        return "Tensor[" + this.name + " " + this.datatype + " " + Arrays.toString(this.shape) + ", "
                + this.data.remaining() + " bytes]";
    }

    private void requireType(TensorDatatype expected) {
        if (type() != expected) {
            throw wrongType(expected.name());
        }
    }

    private IllegalStateException wrongType(String expected) {
        return new IllegalStateException("tensor '" + this.name + "' is " + this.datatype + ", not " + expected);
    }
}
