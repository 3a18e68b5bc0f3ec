package io.xcomposer.inference.client.image;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class BicubicResamplerTests {

    /**
     * Pillow 12.3.0 {@code Image.resize((4, 4), Image.BICUBIC)} of {@link #pattern()}, read with
     * {@code getpixel} (generated once with Pillow; this module cannot run Python in its build).
     */
    private static final int[] PILLOW_4X4 = {
        0x171702, 0x5e2014, 0xb42b3f, 0x7b347e, 0x278716, 0x6e9028, 0xc59b52, 0x90a497, 0x38974d, 0x80a05f, 0xccab8e,
        0x74b4a6, 0x48459d, 0x924eb1, 0xc659d1, 0x2f624f
    };

    /** Same source, {@code resize((5, 9), BICUBIC)}: shrinks horizontally and enlarges vertically. */
    private static final int[] PILLOW_5X9 = {
        0x0b0000, 0x44040b, 0x810d25, 0xc6154f, 0x591c86, 0x111f02, 0x4a260d, 0x872f27, 0xcc3751, 0x5f3e88, 0x19550a,
        0x525c15, 0x8f652f, 0xd46d59, 0x677490, 0x208418, 0x598b23, 0x96943d, 0xdb9c67, 0x6ea39e, 0x28c42c, 0x61cb37,
        0x9dd451, 0xe7dc7a, 0x7ce3bc, 0x2fc446, 0x68cb51, 0xa6d46b, 0xe1dc97, 0x70e3bb, 0x363167, 0x6f3872, 0xb3418b,
        0xb049c3, 0x245069, 0x3e3994, 0x77409f, 0xbd49bd, 0xab51c6, 0x19583a, 0x446ab3, 0x7d71be, 0xc27ae1, 0xb582bc,
        0x258927
    };

    @Test
    void resize_matchesPillowWhenShrinking() {
        assertThat(BicubicResampler.resize(pattern(), 4, 4).rgb()).containsExactly(PILLOW_4X4);
    }

    @Test
    void resize_matchesPillowWhenShrinkingOneSideAndEnlargingTheOther() {
        assertThat(BicubicResampler.resize(pattern(), 5, 9).rgb()).containsExactly(PILLOW_5X9);
    }

    @Test
    void resize_toTheSameSizeIsTheIdentity() {
        RgbPixels source = pattern();

        assertThat(BicubicResampler.resize(source, 8, 6).rgb()).containsExactly(source.rgb());
    }

    /** 8×6 image whose channels are distinct functions of x and y, so any misplaced weight shows. */
    private static RgbPixels pattern() {
        int[] rgb = new int[8 * 6];
        for (int y = 0; y < 6; y++) {
            for (int x = 0; x < 8; x++) {
                int red = (x * 37 + y * 11) % 256;
                int green = (x * 5 + y * 71) % 256;
                int blue = (x * x * 3 + y * y * 7) % 256;
                rgb[y * 8 + x] = red << 16 | green << 8 | blue;
            }
        }
        return new RgbPixels(8, 6, rgb);
    }
}
