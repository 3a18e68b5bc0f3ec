package io.xcomposer.inference.client.image;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import io.xcomposer.inference.client.model.VisionSpec;
import io.xcomposer.inference.client.tensor.Tensor;
import java.awt.Color;
import java.awt.Graphics2D;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.Arrays;
import java.util.Base64;
import java.util.HexFormat;
import java.util.Random;
import java.util.zip.CRC32;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;

class ImagePreprocessorTests {

    /** Mean 0.5, std 0.25: a channel value v maps to (v/255 - 0.5) / 0.25, e.g. 0 → -2, 255 → 2, 51 → -1.2. */
    private static final VisionSpec TINY =
            new VisionSpec(64, "bicubic", new float[] {0.5f, 0.5f, 0.5f}, new float[] {0.25f, 0.25f, 0.25f}, 18, 256);

    private final ImagePreprocessor preprocessor = new ImagePreprocessor(TINY, ImageLimits.defaults());

    @Test
    void png_atTheModelSize_isNormalisedPixelForPixel() throws IOException {
        BufferedImage image = noise(64, 64, 7);

        PreprocessedImage result = this.preprocessor.preprocess(encode(image, "png"));

        assertThat(result.format()).isEqualTo(ImageFormat.PNG);
        assertThat(result.pixels()).hasSize(3 * 64 * 64);
        int plane = 64 * 64;
        for (int y = 0; y < 64; y++) {
            for (int x = 0; x < 64; x++) {
                int rgb = image.getRGB(x, y);
                int i = y * 64 + x;
                assertThat(result.pixels()[i]).isEqualTo(normalised((rgb >> 16) & 0xff));
                assertThat(result.pixels()[plane + i]).isEqualTo(normalised((rgb >> 8) & 0xff));
                assertThat(result.pixels()[2 * plane + i]).isEqualTo(normalised(rgb & 0xff));
            }
        }
    }

    @Test
    void knownPixel_isNormalisedAsComputedByHand() throws IOException {
        BufferedImage image = solid(64, 64, new Color(51, 255, 0));

        float[] pixels = this.preprocessor.preprocess(encode(image, "png")).pixels();

        // R: (51/255 - 0.5) / 0.25 = (0.2 - 0.5) / 0.25 = -1.2; G: (1 - 0.5) / 0.25 = 2; B: (0 - 0.5) / 0.25 = -2
        assertThat(pixels[0]).isCloseTo(-1.2f, within(1e-6f));
        assertThat(pixels[64 * 64]).isCloseTo(2.0f, within(1e-6f));
        assertThat(pixels[2 * 64 * 64]).isCloseTo(-2.0f, within(1e-6f));
    }

    @Test
    void greyPng_keepsItsLevels() throws IOException {
        BufferedImage grey = new BufferedImage(64, 64, BufferedImage.TYPE_BYTE_GRAY);
        grey.getRaster().setSample(0, 0, 0, 128);

        float[] pixels = this.preprocessor.preprocess(encode(grey, "png")).pixels();

        // Java2D's linear grey would turn 128 into about 186 through getRGB; the level must stay 128 in all channels.
        assertThat(pixels[0]).isEqualTo(normalised(128));
        assertThat(pixels[64 * 64]).isEqualTo(normalised(128));
        assertThat(pixels[2 * 64 * 64]).isEqualTo(normalised(128));
    }

    @Test
    void transparency_isCompositedOnWhite() throws IOException {
        BufferedImage image = new BufferedImage(64, 64, BufferedImage.TYPE_INT_ARGB);
        image.setRGB(0, 0, 0x00000000);
        image.setRGB(1, 0, 0x80ff0000);

        float[] pixels = this.preprocessor.preprocess(encode(image, "png")).pixels();

        assertThat(pixels[0]).isEqualTo(normalised(255));
        // Half-opaque red (alpha 128) over white: red stays 255, green and blue (0·128 + 255·127) / 255 = 127.
        assertThat(pixels[1]).isEqualTo(normalised(255));
        assertThat(pixels[64 * 64 + 1]).isEqualTo(normalised(127));
    }

    @Test
    void largerImage_isResizedToTheModelSize() throws IOException {
        PreprocessedImage result = this.preprocessor.preprocess(encode(solid(200, 100, new Color(51, 0, 255)), "png"));

        assertThat(result.size()).isEqualTo(64);
        assertThat(result.originalWidth()).isEqualTo(200);
        assertThat(result.originalHeight()).isEqualTo(100);
        assertThat(result.pixels()).hasSize(3 * 64 * 64);
        assertThat(result.pixels()[64 * 64 - 1]).isCloseTo(-1.2f, within(1e-6f));
    }

    @Test
    void jpeg_withExifOrientation6_isTurnedUpright() throws IOException {
        // Stored 64 wide × 32 high, left half red and right half blue. Orientation 6 means "rotate 90° clockwise to
        // view": upright it is 32 wide × 64 high with red on top and blue below.
        BufferedImage stored = solid(64, 32, Color.BLUE);
        Graphics2D graphics = stored.createGraphics();
        graphics.setColor(Color.RED);
        graphics.fillRect(0, 0, 32, 32);
        graphics.dispose();
        byte[] jpeg = withExifOrientation(encode(stored, "jpeg"), 6);

        PreprocessedImage result = this.preprocessor.preprocess(jpeg);

        assertThat(result.format()).isEqualTo(ImageFormat.JPEG);
        assertThat(result.originalWidth()).isEqualTo(32);
        assertThat(result.originalHeight()).isEqualTo(64);
        int plane = 64 * 64;
        int topLeft = 4 * 64 + 4;
        int bottomLeft = 60 * 64 + 4;
        assertThat(result.pixels()[topLeft]).as("red at the top").isGreaterThan(1.5f);
        assertThat(result.pixels()[2 * plane + topLeft])
                .as("no blue at the top")
                .isLessThan(-1.5f);
        assertThat(result.pixels()[bottomLeft]).as("no red at the bottom").isLessThan(-1.5f);
        assertThat(result.pixels()[2 * plane + bottomLeft])
                .as("blue at the bottom")
                .isGreaterThan(1.5f);
    }

    @Test
    void exifOrientation_isReadFromBigAndLittleEndianTiff() throws IOException {
        byte[] plain = encode(solid(8, 8, Color.WHITE), "jpeg");

        assertThat(ExifOrientation.read(plain)).isEqualTo(1);
        assertThat(ExifOrientation.read(withExifOrientation(plain, 8))).isEqualTo(8);
        assertThat(ExifOrientation.read(withLittleEndianExifOrientation(plain, 3)))
                .isEqualTo(3);
    }

    @Test
    void gif_firstFrameIsDecoded() throws IOException {
        PreprocessedImage result = this.preprocessor.preprocess(encode(solid(64, 64, Color.WHITE), "gif"));

        assertThat(result.format()).isEqualTo(ImageFormat.GIF);
        assertThat(result.pixels()[0]).isEqualTo(normalised(255));
    }

    @Test
    void webp_isDecodedThroughTheTwelveMonkeysReader() {
        // A 1×1 lossless WebP holding one fully transparent black pixel.
        byte[] webp = Base64.getDecoder().decode("UklGRhoAAABXRUJQVlA4TA0AAAAvAAAAEAcQERGIiP4HAA==");

        PreprocessedImage result = this.preprocessor.preprocess(webp);

        assertThat(result.format()).isEqualTo(ImageFormat.WEBP);
        assertThat(result.originalWidth()).isEqualTo(1);
        assertThat(result.pixels()[0]).as("transparent composited on white").isEqualTo(normalised(255));
    }

    @Test
    void pixelBomb_isRejectedFromItsHeaderBeforeDecoding() {
        byte[] bomb = pngHeaderOnly(100_000, 100_000);

        assertThatThrownBy(() -> this.preprocessor.preprocess(bomb))
                .isInstanceOf(ImageTooLargeException.class)
                .hasMessage("PNG image is 100000x100000, at most 40000000 pixels are accepted")
                .extracting(error -> ((ImageRejectedException) error).code())
                .isEqualTo("image_too_large");
    }

    @Test
    void tooManyBytes_areRejectedBeforeLookingAtThem() {
        ImagePreprocessor strict = new ImagePreprocessor(TINY, new ImageLimits(10, 1000));

        assertThatThrownBy(() -> strict.preprocess(new byte[11])).isInstanceOf(ImageTooLargeException.class);
    }

    @Test
    void truncatedPng_isInvalid() throws IOException {
        byte[] png = encode(noise(64, 64, 3), "png");
        byte[] truncated = Arrays.copyOf(png, png.length / 2);

        assertThatThrownBy(() -> this.preprocessor.preprocess(truncated))
                .isInstanceOf(InvalidImageException.class)
                .extracting(error -> ((ImageRejectedException) error).code())
                .isEqualTo("invalid_image");
    }

    @Test
    void otherFormats_areUnsupported() throws IOException {
        byte[] bmp = encode(solid(4, 4, Color.WHITE), "bmp");

        assertThatThrownBy(() -> this.preprocessor.preprocess(bmp))
                .isInstanceOf(UnsupportedImageException.class)
                .extracting(error -> ((ImageRejectedException) error).code())
                .isEqualTo("unsupported_image_format");
    }

    @Test
    void sha256_isTheHexDigestOfTheOriginalBytes() throws Exception {
        byte[] png = encode(solid(8, 8, Color.WHITE), "png");

        assertThat(this.preprocessor.preprocess(png).sha256())
                .isEqualTo(HexFormat.of()
                        .formatHex(MessageDigest.getInstance("SHA-256").digest(png)));
    }

    @Test
    void toTensor_addsTheBatchDimensionForBatchingModels() throws IOException {
        PreprocessedImage result = this.preprocessor.preprocess(encode(solid(64, 64, Color.WHITE), "png"));

        Tensor batched = result.toTensor("pixel_values", 8);
        Tensor unbatched = result.toTensor("pixel_values", 0);

        assertThat(batched.shape()).containsExactly(1, 3, 64, 64);
        assertThat(unbatched.shape()).containsExactly(3, 64, 64);
        assertThat(unbatched.asFloats()).containsExactly(result.pixels());
    }

    private static float normalised(int channel) {
        return (channel / 255f - 0.5f) / 0.25f;
    }

    private static BufferedImage solid(int width, int height, Color color) {
        BufferedImage image = new BufferedImage(width, height, BufferedImage.TYPE_INT_RGB);
        Graphics2D graphics = image.createGraphics();
        graphics.setColor(color);
        graphics.fillRect(0, 0, width, height);
        graphics.dispose();
        return image;
    }

    private static BufferedImage noise(int width, int height, long seed) {
        Random random = new Random(seed);
        BufferedImage image = new BufferedImage(width, height, BufferedImage.TYPE_INT_RGB);
        for (int y = 0; y < height; y++) {
            for (int x = 0; x < width; x++) {
                image.setRGB(x, y, random.nextInt(0x1000000));
            }
        }
        return image;
    }

    private static byte[] encode(BufferedImage image, String format) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        assertThat(ImageIO.write(image, format, out))
                .as("a %s writer exists", format)
                .isTrue();
        return out.toByteArray();
    }

    /** A PNG signature, an IHDR claiming {@code width × height} RGB with a valid CRC, and IEND: no pixel data. */
    private static byte[] pngHeaderOnly(int width, int height) {
        ByteBuffer ihdr = ByteBuffer.allocate(13).putInt(width).putInt(height).put(new byte[] {8, 2, 0, 0, 0});
        ByteArrayOutputStream png = new ByteArrayOutputStream();
        png.writeBytes(new byte[] {(byte) 0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'});
        png.writeBytes(chunk("IHDR", ihdr.array()));
        png.writeBytes(chunk("IEND", new byte[0]));
        return png.toByteArray();
    }

    private static byte[] chunk(String type, byte[] data) {
        byte[] typeBytes = type.getBytes(StandardCharsets.US_ASCII);
        CRC32 crc = new CRC32();
        crc.update(typeBytes);
        crc.update(data);
        return ByteBuffer.allocate(12 + data.length)
                .putInt(data.length)
                .put(typeBytes)
                .put(data)
                .putInt((int) crc.getValue())
                .array();
    }

    /** Inserts an APP1 Exif segment (big-endian "MM" TIFF, IFD0 with only the orientation tag) after SOI. */
    private static byte[] withExifOrientation(byte[] jpeg, int orientation) {
        byte[] tiff = {
            'M',
            'M',
            0,
            42,
            0,
            0,
            0,
            8, // header, IFD0 at offset 8
            0,
            1, // one entry
            0x01,
            0x12,
            0,
            3,
            0,
            0,
            0,
            1,
            0,
            (byte) orientation,
            0,
            0, // tag 0x0112, SHORT, count 1, value
            0,
            0,
            0,
            0
        }; // no next IFD
        return insertApp1(jpeg, tiff);
    }

    private static byte[] withLittleEndianExifOrientation(byte[] jpeg, int orientation) {
        byte[] tiff = {
            'I', 'I', 42, 0, 8, 0, 0, 0, 1, 0, 0x12, 0x01, 3, 0, 1, 0, 0, 0, (byte) orientation, 0, 0, 0, 0, 0, 0, 0
        };
        return insertApp1(jpeg, tiff);
    }

    private static byte[] insertApp1(byte[] jpeg, byte[] tiff) {
        byte[] exifHeader = {'E', 'x', 'i', 'f', 0, 0};
        int segmentLength = 2 + exifHeader.length + tiff.length;
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.write(jpeg, 0, 2); // SOI
        out.writeBytes(new byte[] {(byte) 0xff, (byte) 0xe1, (byte) (segmentLength >> 8), (byte) segmentLength});
        out.writeBytes(exifHeader);
        out.writeBytes(tiff);
        out.write(jpeg, 2, jpeg.length - 2);
        return out.toByteArray();
    }
}
