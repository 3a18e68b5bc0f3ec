package io.xcomposer.common.images;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.xcomposer.common.error.ApiException;
import org.junit.jupiter.api.Test;
import org.springframework.http.HttpStatus;

class Base64ImagesTests {

    @Test
    void decodesPlainBase64AndDataUrlsAlike() {
        byte[] expected = {(byte) 0x89, 'P', 'N', 'G'};
        assertThat(Base64Images.decode("iVBORw==", 100, "image", "bad")).containsExactly(expected);
        assertThat(Base64Images.decode("data:image/png;base64,iVBO\nRw==", 100, "image", "bad"))
                .containsExactly(expected);
        assertThat(Base64Images.decode("DATA:;base64,iVBORw==", 100, "image", "bad"))
                .containsExactly(expected);
    }

    @Test
    void refusesWhatIsNotBase64WithTheCallersCode() {
        assertThatThrownBy(() -> Base64Images.decode("@@not base64@@", 100, "image", "invalid_base64"))
                .isInstanceOfSatisfying(ApiException.class, e -> {
                    assertThat(e.code()).isEqualTo("invalid_base64");
                    assertThat(e.param()).isEqualTo("image");
                });
        assertThatThrownBy(() -> Base64Images.decode("data:image/png,rawbytes", 100, "image", "invalid_image_url"))
                .isInstanceOfSatisfying(
                        ApiException.class, e -> assertThat(e.code()).isEqualTo("invalid_image_url"));
    }

    @Test
    void refusesNonImageMediaTypes() {
        assertThatThrownBy(() -> Base64Images.decode("data:text/plain;base64,aGVsbG8=", 100, "image", "bad"))
                .isInstanceOfSatisfying(
                        ApiException.class, e -> assertThat(e.code()).isEqualTo("unsupported_image_format"));
    }

    @Test
    void refusesOversizedPayloadsFromTheirLength() {
        String twelveBytes = "AAAAAAAAAAAAAAAA"; // 16 characters = 12 bytes
        assertThat(Base64Images.decode(twelveBytes, 12, "image", "bad")).hasSize(12);
        assertThatThrownBy(() -> Base64Images.decode(twelveBytes + "AAAAAAAA", 12, "image", "bad"))
                .isInstanceOfSatisfying(ApiException.class, e -> {
                    assertThat(e.code()).isEqualTo("image_too_large");
                    assertThat(e.status()).isEqualTo(HttpStatus.PAYLOAD_TOO_LARGE);
                });
    }
}
