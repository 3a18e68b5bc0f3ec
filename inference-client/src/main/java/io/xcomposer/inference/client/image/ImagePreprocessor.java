package io.xcomposer.inference.client.image;

import io.xcomposer.inference.client.model.VisionSpec;
import java.awt.color.ColorSpace;
import java.awt.image.BufferedImage;
import java.awt.image.ComponentColorModel;
import java.awt.image.Raster;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.util.Iterator;
import java.util.Objects;
import javax.imageio.ImageIO;
import javax.imageio.ImageReader;
import javax.imageio.stream.ImageInputStream;
import javax.imageio.stream.MemoryCacheImageInputStream;
import org.apache.commons.codec.digest.DigestUtils;

/**
 * Turns untrusted image bytes into a vision model's {@code pixel_values}, as the model's {@link VisionSpec} says:
 * <ol>
 * <li>reject by byte size, then sniff the format from magic bytes (PNG, JPEG, WebP, GIF);</li>
 * <li>read width and height from the header and reject by pixel count before decoding anything;</li>
 * <li>decode (GIF: first frame), apply the JPEG EXIF orientation, composite alpha on white to RGB;</li>
 * <li>resize to exactly size × size with {@link BicubicResampler} (Pillow's bicubic, no crop, aspect not
 * kept);</li>
 * <li>scale to [0,1] and normalise with the spec's mean/std into CHW floats.</li>
 * </ol>
 * Thread-safe; each call uses its own reader.
 */
public final class ImagePreprocessor {

    static {
        // ImageIO registers plugins found by the class loader that first touches it; in a Boot fat jar that may
        // not see the TwelveMonkeys WebP/JPEG readers, so register them explicitly.
        ImageIO.scanForPlugins();
    }

    private final VisionSpec spec;

    private final ImageLimits limits;

    public ImagePreprocessor(VisionSpec spec, ImageLimits limits) {
        this.spec = Objects.requireNonNull(spec, "spec");
        this.limits = Objects.requireNonNull(limits, "limits");
    }

    /** @throws ImageRejectedException when the image is too large, of an unsupported format or corrupt */
    public PreprocessedImage preprocess(byte[] imageBytes) {
        ImageFormat format = checkSizeAndSniff(imageBytes, this.limits);
        RgbPixels decoded = decode(imageBytes, format, this.limits);
        RgbPixels upright =
                format == ImageFormat.JPEG ? ExifOrientation.apply(ExifOrientation.read(imageBytes), decoded) : decoded;
        int size = this.spec.imageSize();
        RgbPixels resized = BicubicResampler.resize(upright, size, size);
        return new PreprocessedImage(
                normalise(resized), size, DigestUtils.sha256Hex(imageBytes), format, upright.width(), upright.height());
    }

    /**
     * The same checks as {@link #preprocess} (size, format by magic bytes, pixel count from the header, a full
     * decode) without a model's spec, for services that store or relay an image without encoding it: whatever
     * passes here also passes {@code preprocess}.
     * @throws ImageRejectedException when the image is too large, of an unsupported format or corrupt
     */
    public static ImageInfo inspect(byte[] imageBytes, ImageLimits limits) {
        ImageFormat format = checkSizeAndSniff(imageBytes, limits);
        RgbPixels decoded = decode(imageBytes, format, limits);
        return new ImageInfo(format, decoded.width(), decoded.height());
    }

    private static ImageFormat checkSizeAndSniff(byte[] imageBytes, ImageLimits limits) {
        if (imageBytes.length > limits.maxBytes()) {
            throw new ImageTooLargeException(
                    "image has " + imageBytes.length + " bytes, at most " + limits.maxBytes() + " are accepted");
        }
        return ImageFormat.sniff(imageBytes);
    }

    private static RgbPixels decode(byte[] imageBytes, ImageFormat format, ImageLimits limits) {
        Iterator<ImageReader> readers = ImageIO.getImageReadersByFormatName(format.readerFormatName());
        if (!readers.hasNext()) {
            throw new UnsupportedImageException("no decoder for " + format + " is installed");
        }
        ImageReader reader = readers.next();
        try (ImageInputStream input = new MemoryCacheImageInputStream(new ByteArrayInputStream(imageBytes))) {
            reader.setInput(input, true, true);
            long width = reader.getWidth(0);
            long height = reader.getHeight(0);
            if (width <= 0 || height <= 0) {
                throw new InvalidImageException(format + " header declares a " + width + "x" + height + " image", null);
            }
            if (width * height > limits.maxPixels()) {
                throw new ImageTooLargeException(format + " image is " + width + "x" + height + ", at most "
                        + limits.maxPixels() + " pixels are accepted");
            }
            return toOpaqueRgb(reader.read(0));
        } catch (IOException | RuntimeException corrupt) {
            if (corrupt instanceof ImageRejectedException rejected) {
                throw rejected;
            }
            // Decoders signal broken data with IIOException but also with unchecked exceptions
            // (IndexOutOfBounds, IllegalArgument, IllegalState) depending on where the data breaks.
            throw new InvalidImageException(
                    "corrupt or truncated " + format + " image: " + corrupt.getMessage(), corrupt);
        } finally {
            reader.dispose();
        }
    }

    /**
     * Reads every pixel as opaque RGB, compositing alpha over white. Grey images are read from their samples,
     * because Java2D's grey colour space is linear and {@code getRGB} would brighten mid-tones.
     */
    private static RgbPixels toOpaqueRgb(BufferedImage image) {
        int width = image.getWidth();
        int height = image.getHeight();
        int[] rgb = new int[width * height];
        boolean grey = image.getColorModel() instanceof ComponentColorModel
                && image.getColorModel().getColorSpace().getType() == ColorSpace.TYPE_GRAY
                && image.getColorModel().getComponentSize(0) == 8;
        Raster raster = image.getRaster();
        boolean alpha = image.getColorModel().hasAlpha();
        for (int y = 0; y < height; y++) {
            for (int x = 0; x < width; x++) {
                int argb;
                if (grey) {
                    int level = raster.getSample(x, y, 0);
                    int opacity = alpha ? raster.getSample(x, y, 1) : 0xff;
                    argb = opacity << 24 | level << 16 | level << 8 | level;
                } else {
                    argb = image.getRGB(x, y);
                }
                rgb[y * width + x] = overWhite(argb);
            }
        }
        return new RgbPixels(width, height, rgb);
    }

    private static int overWhite(int argb) {
        int opacity = argb >>> 24;
        if (opacity == 0xff) {
            return argb & 0xffffff;
        }
        int red = blendOnWhite((argb >> 16) & 0xff, opacity);
        int green = blendOnWhite((argb >> 8) & 0xff, opacity);
        int blue = blendOnWhite(argb & 0xff, opacity);
        return red << 16 | green << 8 | blue;
    }

    private static int blendOnWhite(int channel, int opacity) {
        return Math.round((channel * opacity + 255f * (255 - opacity)) / 255f);
    }

    private float[] normalise(RgbPixels image) {
        float[] mean = this.spec.mean();
        float[] std = this.spec.std();
        int plane = image.width() * image.height();
        float[] chw = new float[3 * plane];
        for (int i = 0; i < plane; i++) {
            int pixel = image.rgb()[i];
            chw[i] = (((pixel >> 16) & 0xff) / 255f - mean[0]) / std[0];
            chw[plane + i] = (((pixel >> 8) & 0xff) / 255f - mean[1]) / std[1];
            chw[2 * plane + i] = ((pixel & 0xff) / 255f - mean[2]) / std[2];
        }
        return chw;
    }
}
