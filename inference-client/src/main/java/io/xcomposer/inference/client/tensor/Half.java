package io.xcomposer.inference.client.tensor;

/**
 * IEEE 754 binary16 conversions. Java 17 lacks {@code Float.floatToFloat16} (added in JDK 20), and FP16 tensors
 * travel only as raw bytes, so the codec converts itself.
 */
public final class Half {

    private static final int FLOAT_EXPONENT_BIAS = 127;

    private static final int HALF_EXPONENT_BIAS = 15;

    /** |x| at or above 65520 (halfway between 65504, the largest half, and 65536) rounds to infinity. */
    private static final int FIRST_FLOAT_ROUNDING_TO_INFINITY = 0x477ff000;

    /** 2^-14, the smallest normal half. */
    private static final int SMALLEST_NORMAL_HALF_AS_FLOAT = 0x38800000;

    /** 2^-25, half of the smallest subnormal half; it and everything below rounds to zero (ties go to even 0). */
    private static final int LARGEST_FLOAT_ROUNDING_TO_ZERO = 0x33000000;

    private Half() {}

    /** Converts to binary16 bits, rounding to nearest with ties to even; NaN stays NaN (quiet). */
    public static short fromFloat(float value) {
        int bits = Float.floatToRawIntBits(value);
        int sign = (bits >>> 16) & 0x8000;
        int magnitude = bits & 0x7fffffff;
        if (magnitude >= 0x7f800000) {
            if (magnitude == 0x7f800000) {
                return (short) (sign | 0x7c00);
            }
            // Keep the top payload bits and force the quiet bit so the payload cannot truncate to infinity.
            return (short) (sign | 0x7e00 | ((magnitude >>> 13) & 0x3ff));
        }
        if (magnitude >= FIRST_FLOAT_ROUNDING_TO_INFINITY) {
            return (short) (sign | 0x7c00);
        }
        if (magnitude >= SMALLEST_NORMAL_HALF_AS_FLOAT) {
            int exponent = (magnitude >>> 23) - FLOAT_EXPONENT_BIAS + HALF_EXPONENT_BIAS;
            int mantissa = magnitude & 0x7fffff;
            // A carry out of the mantissa correctly bumps the exponent.
            return (short) (sign | roundShifted(exponent << 23 | mantissa, 13));
        }
        if (magnitude <= LARGEST_FLOAT_ROUNDING_TO_ZERO) {
            return (short) sign;
        }
        // Subnormal half: value = m * 2^-24, float value = significand * 2^(e - 150), so m = significand >> (126 - e).
        int exponent = magnitude >>> 23;
        int significand = (magnitude & 0x7fffff) | 0x800000;
        return (short) (sign | roundShifted(significand, 126 - exponent));
    }

    /** Converts binary16 bits to the exactly equal float (every half is representable as a float). */
    public static float toFloat(short half) {
        int bits = half & 0xffff;
        int sign = (bits & 0x8000) << 16;
        int exponent = (bits >>> 10) & 0x1f;
        int mantissa = bits & 0x3ff;
        if (exponent == 0x1f) {
            return Float.intBitsToFloat(sign | 0x7f800000 | (mantissa << 13));
        }
        if (exponent == 0) {
            float subnormal = mantissa * 0x1p-24f;
            return sign == 0 ? subnormal : -subnormal;
        }
        return Float.intBitsToFloat(
                sign | ((exponent - HALF_EXPONENT_BIAS + FLOAT_EXPONENT_BIAS) << 23) | (mantissa << 13));
    }

    /** {@code value >> shift}, rounded to nearest, ties to even. */
    private static int roundShifted(int value, int shift) {
        int truncated = value >>> shift;
        int remainder = value & ((1 << shift) - 1);
        int halfway = 1 << (shift - 1);
        if (remainder > halfway || (remainder == halfway && (truncated & 1) == 1)) {
            truncated++;
        }
        return truncated;
    }
}
