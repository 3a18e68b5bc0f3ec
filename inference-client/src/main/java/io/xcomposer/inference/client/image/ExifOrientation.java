package io.xcomposer.inference.client.image;

/**
 * Reads the EXIF orientation tag (0x0112) of a JPEG and turns the stored pixels upright. Phones store pixels as
 * the sensor saw them and record the rotation here; ignoring it feeds the model a sideways photo.
 */
final class ExifOrientation {

    static final int UPRIGHT = 1;

    private static final int ORIENTATION_TAG = 0x0112;

    private static final int TIFF_SHORT = 3;

    private static final int APP1 = 0xe1;

    private static final int START_OF_SCAN = 0xda;

    private static final int END_OF_IMAGE = 0xd9;

    private ExifOrientation() {}

    /**
     * The orientation (1-8) from the first APP1 Exif segment before the scan data; 1 when there is none or it is
     * malformed, since a broken tag is no reason to refuse the picture.
     */
    static int read(byte[] jpeg) {
        int position = 2;
        while (position + 4 <= jpeg.length && (jpeg[position] & 0xff) == 0xff) {
            int marker = jpeg[position + 1] & 0xff;
            if (marker == 0xff) {
                position++;
                continue;
            }
            if (marker == START_OF_SCAN || marker == END_OF_IMAGE) {
                return UPRIGHT;
            }
            if (marker == 0x01 || (marker >= 0xd0 && marker <= 0xd7)) {
                position += 2;
                continue;
            }
            int segmentLength = u16(jpeg, position + 2, false);
            int payload = position + 4;
            if (segmentLength < 2 || payload + segmentLength - 2 > jpeg.length) {
                return UPRIGHT;
            }
            if (marker == APP1 && isExif(jpeg, payload, segmentLength - 2)) {
                return fromTiff(jpeg, payload + 6, payload + segmentLength - 2);
            }
            position += 2 + segmentLength;
        }
        return UPRIGHT;
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

    private static boolean isExif(byte[] bytes, int offset, int length) {
        return length >= 6
                && bytes[offset] == 'E'
                && bytes[offset + 1] == 'x'
                && bytes[offset + 2] == 'i'
                && bytes[offset + 3] == 'f'
                && bytes[offset + 4] == 0
                && bytes[offset + 5] == 0;
    }

    /** Looks the tag up in IFD0 of the TIFF structure spanning {@code [tiff, end)}. */
    private static int fromTiff(byte[] bytes, int tiff, int end) {
        if (tiff + 8 > end) {
            return UPRIGHT;
        }
        boolean littleEndian;
        if (bytes[tiff] == 'I' && bytes[tiff + 1] == 'I') {
            littleEndian = true;
        } else if (bytes[tiff] == 'M' && bytes[tiff + 1] == 'M') {
            littleEndian = false;
        } else {
            return UPRIGHT;
        }
        if (u16(bytes, tiff + 2, littleEndian) != 42) {
            return UPRIGHT;
        }
        long ifd = tiff + u32(bytes, tiff + 4, littleEndian);
        if (ifd + 2 > end) {
            return UPRIGHT;
        }
        int entries = u16(bytes, (int) ifd, littleEndian);
        for (int i = 0; i < entries; i++) {
            int entry = (int) ifd + 2 + i * 12;
            if (entry + 12 > end) {
                return UPRIGHT;
            }
            if (u16(bytes, entry, littleEndian) == ORIENTATION_TAG) {
                boolean oneShort =
                        u16(bytes, entry + 2, littleEndian) == TIFF_SHORT && u32(bytes, entry + 4, littleEndian) == 1;
                int value = oneShort ? u16(bytes, entry + 8, littleEndian) : UPRIGHT;
                return value >= 1 && value <= 8 ? value : UPRIGHT;
            }
        }
        return UPRIGHT;
    }

    private static int u16(byte[] bytes, int offset, boolean littleEndian) {
        int first = bytes[offset] & 0xff;
        int second = bytes[offset + 1] & 0xff;
        return littleEndian ? first | second << 8 : first << 8 | second;
    }

    private static long u32(byte[] bytes, int offset, boolean littleEndian) {
        long high = u16(bytes, offset + (littleEndian ? 2 : 0), littleEndian);
        long low = u16(bytes, offset + (littleEndian ? 0 : 2), littleEndian);
        return high << 16 | low;
    }
}
