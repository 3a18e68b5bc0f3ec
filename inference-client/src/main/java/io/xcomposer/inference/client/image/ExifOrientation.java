package io.xcomposer.inference.client.image;

import com.twelvemonkeys.imageio.metadata.CompoundDirectory;
import com.twelvemonkeys.imageio.metadata.Directory;
import com.twelvemonkeys.imageio.metadata.Entry;
import com.twelvemonkeys.imageio.metadata.jpeg.JPEG;
import com.twelvemonkeys.imageio.metadata.jpeg.JPEGSegment;
import com.twelvemonkeys.imageio.metadata.jpeg.JPEGSegmentUtil;
import com.twelvemonkeys.imageio.metadata.tiff.TIFF;
import com.twelvemonkeys.imageio.metadata.tiff.TIFFReader;
import com.twelvemonkeys.imageio.stream.ByteArrayImageInputStream;
import java.io.IOException;
import java.util.List;
import javax.imageio.stream.ImageInputStream;

/**
 * Reads the EXIF orientation tag (0x0112) of a JPEG with TwelveMonkeys' metadata reader (already here for the JPEG
 * and WebP decoders) and turns the stored pixels upright. Phones store pixels as
 * the sensor saw them and record the rotation here; ignoring it feeds the model a sideways photo.
 */
final class ExifOrientation {

    static final int UPRIGHT = 1;

    private ExifOrientation() {}

    /**
     * The orientation (1-8) from IFD0 of the first APP1 Exif segment; 1 when there is none or it is malformed,
     * since a broken tag is no reason to refuse the picture.
     */
    static int read(byte[] jpeg) {
        try (ImageInputStream input = new ByteArrayImageInputStream(jpeg)) {
            List<JPEGSegment> exif = JPEGSegmentUtil.readSegments(input, JPEG.APP1, "Exif");
            return exif.isEmpty() ? UPRIGHT : fromTiff(exif.get(0).data().readAllBytes());
        } catch (IOException | RuntimeException malformed) {
            return UPRIGHT;
        }
    }

    /** Returns the image as it should be seen for the given orientation. */
    static RgbPixels apply(int orientation, RgbPixels stored) {
        if (orientation < 2 || orientation > 8) {
            return stored;
        }
        int w = stored.width();
        int h = stored.height();
        boolean swapsSides = orientation >= 5;
        int outWidth = swapsSides ? h : w;
        int outHeight = swapsSides ? w : h;
        int[] out = new int[outWidth * outHeight];
        for (int y = 0; y < outHeight; y++) {
            for (int x = 0; x < outWidth; x++) {
                out[y * outWidth + x] = switch (orientation) {
                    case 2 -> stored.at(w - 1 - x, y); // mirrored left-right
                    case 3 -> stored.at(w - 1 - x, h - 1 - y); // upside down
                    case 4 -> stored.at(x, h - 1 - y); // mirrored top-bottom
                    case 5 -> stored.at(y, x); // transposed
                    case 6 -> stored.at(y, h - 1 - x); // needs 90° clockwise
                    case 7 -> stored.at(w - 1 - y, h - 1 - x); // transversed
                    default -> stored.at(w - 1 - y, x); // 8: needs 90° counter-clockwise
                };
            }
        }
        return new RgbPixels(outWidth, outHeight, out);
    }

    /** The orientation tag of IFD0 of the TIFF structure that follows the segment's "Exif\0" identifier. */
    private static int fromTiff(byte[] segmentData) throws IOException {
        // The identifier is "Exif" + NUL + one pad byte; the reader hands over the data after the NUL.
        int skip = segmentData.length > 0 && segmentData[0] == 0 ? 1 : 0;
        Directory tiff;
        try (ImageInputStream input = new ByteArrayImageInputStream(segmentData, skip, segmentData.length - skip)) {
            tiff = new TIFFReader().read(input);
        }
        Directory ifd0 = tiff instanceof CompoundDirectory ifds ? ifds.getDirectory(0) : tiff;
        Entry orientation = ifd0.getEntryById(TIFF.TAG_ORIENTATION);
        if (orientation == null || orientation.valueCount() != 1 || !(orientation.getValue() instanceof Number value)) {
            return UPRIGHT;
        }
        int tag = value.intValue();
        return tag >= 1 && tag <= 8 ? tag : UPRIGHT;
    }
}
