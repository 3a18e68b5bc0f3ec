package io.xcomposer.common.images;

import io.xcomposer.common.error.ApiException;
import java.util.Base64;
import java.util.Locale;

/**
 * Image bytes sent inline in a JSON body: plain base64, or a base64 {@code data:} URL whose media type is an image
 * type. Oversized payloads are refused from their length, before a decoded copy is allocated; the alphabet is strict
 * (whitespace aside), since a lenient decoder would turn garbage into some bytes. Whether the bytes are an image is
 * the image preprocessor's call.
 */
public final class Base64Images {

    private Base64Images() {}

    /**
     * @param param the request field, named in errors
     * @param malformedCode the error code for text that is not base64 or not a base64 data URL
     */
    public static byte[] decode(String data, long maxBytes, String param, String malformedCode) {
        String payload = data.regionMatches(true, 0, "data:", 0, 5) ? dataUrlPayload(data, param, malformedCode) : data;
        // 4 base64 characters carry 3 bytes.
        if ((long) payload.length() / 4 * 3 > maxBytes + 3) {
            throw ApiException.payloadTooLarge(
                    "image_too_large", "The image has more than " + maxBytes + " bytes, the most accepted.", param);
        }
        try {
            return Base64.getDecoder().decode(payload.replaceAll("\\s", ""));
        } catch (IllegalArgumentException malformed) {
            throw ApiException.badRequest(
                    malformedCode, "The image data is not valid base64: " + malformed.getMessage() + ".", param);
        }
    }

    private static String dataUrlPayload(String url, String param, String malformedCode) {
        int comma = url.indexOf(',');
        if (comma < 0) {
            throw ApiException.badRequest(malformedCode, "The data URL has no ',' before its data.", param);
        }
        String header = url.substring(5, comma).toLowerCase(Locale.ROOT);
        if (!header.endsWith(";base64")) {
            throw ApiException.badRequest(
                    malformedCode, "Only base64 data URLs are accepted (data:image/png;base64,...).", param);
        }
        String mediaType = header.substring(0, header.length() - ";base64".length());
        if (!mediaType.isEmpty() && !mediaType.startsWith("image/") && !mediaType.equals("application/octet-stream")) {
            throw ApiException.badRequest(
                    "unsupported_image_format",
                    "The data URL's media type '" + mediaType + "' is not an image type.",
                    param);
        }
        return url.substring(comma + 1);
    }
}
