package io.xcomposer.inference.client.tensor;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class HalfTests {

    @ParameterizedTest(name = "{0} -> {1}")
    @CsvSource({
        // value as float bits, expected half bits
        "0x3f800000, 0x3c00", // 1.0
        "0xc0000000, 0xc000", // -2.0
        "0x3dcccccd, 0x2e66", // 0.1f: 0x2e66 is nearer than 0x2e67
        "0x477fe000, 0x7bff", // 65504, the largest half
        "0x477fefff, 0x7bff", // just below the halfway point to 65536
        "0x477ff000, 0x7c00", // 65520: tie between 65504 (odd mantissa) and 65536 -> even = infinity
        "0x38800000, 0x0400", // 2^-14, smallest normal
        "0x387fc000, 0x03ff", // 1023 * 2^-24, largest subnormal
        "0x33800000, 0x0001", // 2^-24, smallest subnormal
        "0x33000000, 0x0000", // 2^-25: tie between 0 and 2^-24 -> even = 0
        "0x33000001, 0x0001", // just above 2^-25 rounds up
        "0x33c00000, 0x0002", // 3 * 2^-25 = 1.5 * 2^-24: tie between 1 and 2 -> even = 2
        "0x3f801000, 0x3c00", // 1 + 2^-11: tie between 0x3c00 and 0x3c01 -> even
        "0x3f803000, 0x3c02", // 1 + 3 * 2^-11: tie between 0x3c01 and 0x3c02 -> even
        "0x3f801001, 0x3c01", // just above the tie rounds up
        "0x80000000, 0x8000", // -0.0 keeps its sign
        "0x7f800000, 0x7c00", // +infinity
        "0xff800000, 0xfc00", // -infinity
        "0x7fc00000, 0x7e00", // canonical NaN stays a quiet NaN
        "0x7f800001, 0x7e00", // signalling NaN whose payload is below half precision stays NaN
        "0x7f7fffff, 0x7c00" // Float.MAX_VALUE overflows to infinity
    })
    void fromFloat_roundsToNearestEven(String floatBits, String halfBits) {
        float value = Float.intBitsToFloat(Integer.parseUnsignedInt(floatBits.substring(2), 16));

        assertThat(Half.fromFloat(value)).isEqualTo((short) Integer.parseInt(halfBits.substring(2), 16));
    }

    @Test
    void toFloat_decodesSubnormalsInfinitiesAndNaN() {
        assertThat(Half.toFloat((short) 0x0001)).isEqualTo(0x1p-24f);
        assertThat(Half.toFloat((short) 0x03ff)).isEqualTo(1023 * 0x1p-24f);
        assertThat(Half.toFloat((short) 0x0400)).isEqualTo(0x1p-14f);
        assertThat(Half.toFloat((short) 0x3c00)).isEqualTo(1.0f);
        assertThat(Half.toFloat((short) 0xc000)).isEqualTo(-2.0f);
        assertThat(Half.toFloat((short) 0x7bff)).isEqualTo(65504f);
        assertThat(Float.floatToRawIntBits(Half.toFloat((short) 0x8000))).isEqualTo(0x80000000);
        assertThat(Half.toFloat((short) 0x7c00)).isEqualTo(Float.POSITIVE_INFINITY);
        assertThat(Half.toFloat((short) 0xfc00)).isEqualTo(Float.NEGATIVE_INFINITY);
        assertThat(Half.toFloat((short) 0x7e00)).isNaN();
    }

    @Test
    void everyHalfSurvivesARoundTrip() {
        for (int bits = 0; bits <= 0xffff; bits++) {
            short half = (short) bits;
            float value = Half.toFloat(half);
            if (Float.isNaN(value)) {
                assertThat(Half.toFloat(Half.fromFloat(value))).isNaN();
            } else {
                assertThat(Half.fromFloat(value)).as("half 0x%04x", bits).isEqualTo(half);
            }
        }
    }
}
