package io.xcomposer.inference.client.tensor;

import io.xcomposer.inference.grpc.DataType;

/**
 * Triton datatypes: the API string used on the wire ({@link #name()}), the config.pbtxt enum and the element size.
 */
public enum TensorDatatype {
    BOOL(1, DataType.TYPE_BOOL),
    UINT8(1, DataType.TYPE_UINT8),
    UINT16(2, DataType.TYPE_UINT16),
    UINT32(4, DataType.TYPE_UINT32),
    UINT64(8, DataType.TYPE_UINT64),
    INT8(1, DataType.TYPE_INT8),
    INT16(2, DataType.TYPE_INT16),
    INT32(4, DataType.TYPE_INT32),
    INT64(8, DataType.TYPE_INT64),
    FP16(2, DataType.TYPE_FP16),
    BF16(2, DataType.TYPE_BF16),
    FP32(4, DataType.TYPE_FP32),
    FP64(8, DataType.TYPE_FP64),
    /** Variable-size elements: each is a 4-byte little-endian unsigned length followed by that many bytes. */
    BYTES(-1, DataType.TYPE_STRING);

    private final int elementSize;

    private final DataType configType;

    TensorDatatype(int elementSize, DataType configType) {
        this.elementSize = elementSize;
        this.configType = configType;
    }

    /** Bytes per element, or -1 for {@link #BYTES}. */
    public int elementSize() {
        return this.elementSize;
    }

    public boolean isFixedSize() {
        return this.elementSize > 0;
    }

    /** The {@code TYPE_*} enum that config.pbtxt uses for this datatype. */
    public DataType configType() {
        return this.configType;
    }

    /** Parses the API string sent in a tensor's {@code datatype} field, e.g. {@code "FP32"}. */
    public static TensorDatatype fromApiName(String datatype) {
        for (TensorDatatype candidate : values()) {
            if (candidate.name().equals(datatype)) {
                return candidate;
            }
        }
        throw new TensorFormatException("unknown datatype '" + datatype + "'");
    }

    /** Maps a config.pbtxt {@code TYPE_*} to the API datatype a request must carry. */
    public static TensorDatatype fromConfig(DataType configType) {
        for (TensorDatatype candidate : values()) {
            if (candidate.configType == configType) {
                return candidate;
            }
        }
        throw new TensorFormatException("config datatype " + configType + " has no tensor datatype");
    }
}
