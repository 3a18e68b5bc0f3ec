package io.xcomposer.common.web;

import org.springframework.core.io.buffer.DataBuffer;
import org.springframework.core.io.buffer.DataBufferUtils;

/** Getting a request body's bytes out of the pooled buffers Netty hands WebFlux. */
public final class DataBuffers {

    private DataBuffers() {}

    /** The readable bytes of {@code buffer}, copied; the buffer is released, as a pooled one must be once read. */
    public static byte[] readAndRelease(DataBuffer buffer) {
        try {
            byte[] bytes = new byte[buffer.readableByteCount()];
            buffer.read(bytes);
            return bytes;
        } finally {
            DataBufferUtils.release(buffer);
        }
    }
}
