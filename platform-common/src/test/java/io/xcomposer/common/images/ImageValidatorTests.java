package io.xcomposer.common.images;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import io.xcomposer.common.error.ApiException;
import io.xcomposer.inference.client.image.ImageFormat;
import io.xcomposer.inference.client.image.ImageInfo;
import io.xcomposer.inference.client.image.ImageLimits;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.springframework.http.HttpStatus;

class ImageValidatorTests {

    private final ImageValidator validator = new ImageValidator(new ImageLimits(1024 * 1024, 10_000));

    @Test
    void acceptsARasterImageAndTellsWhatItIs() {
        ImageInfo info = this.validator.check(png(30, 20), "user_images[0]");

        assertThat(info.format()).isEqualTo(ImageFormat.PNG);
        assertThat(info.width()).isEqualTo(30);
        assertThat(info.height()).isEqualTo(20);
        assertThat(info.mediaType()).isEqualTo("image/png");
    }

    @Test
    void refusesSvgEmptyAndTruncatedDataNamingTheField() {
        byte[] svg = "<svg xmlns=\"http://www.w3.org/2000/svg\"><script>alert(1)</script></svg>"
                .getBytes(StandardCharsets.UTF_8);
        byte[] png = png(30, 20);

        assertRefused(svg, HttpStatus.BAD_REQUEST, "unsupported_image_format");
        assertRefused(new byte[0], HttpStatus.BAD_REQUEST, "unsupported_image_format");
        assertRefused(Arrays.copyOf(png, 40), HttpStatus.BAD_REQUEST, "invalid_image");
    }

    @Test
    void refusesTooManyPixelsAndTooManyBytes() {
        assertRefused(png(200, 200), HttpStatus.PAYLOAD_TOO_LARGE, "image_too_large");
        ImageValidator tiny = new ImageValidator(new ImageLimits(20, 10_000));
        ApiException tooLarge = catchThrowableOfType(ApiException.class, () -> tiny.check(png(30, 20), "image"));
        assertThat(tooLarge.status()).isEqualTo(HttpStatus.PAYLOAD_TOO_LARGE);
    }

    private void assertRefused(byte[] bytes, HttpStatus status, String code) {
        ApiException refused =
                catchThrowableOfType(ApiException.class, () -> this.validator.check(bytes, "user_images[1]"));

        assertThat(refused).isNotNull();
        assertThat(refused.status()).isEqualTo(status);
        assertThat(refused.code()).isEqualTo(code);
        assertThat(refused.param()).isEqualTo("user_images[1]");
    }

    static byte[] png(int width, int height) {
        BufferedImage image = new BufferedImage(width, height, BufferedImage.TYPE_INT_RGB);
        image.setRGB(1, 1, 0xff0000);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try {
            ImageIO.write(image, "png", out);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toByteArray();
    }
}
