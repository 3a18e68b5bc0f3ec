package io.xcomposer.gateway;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.xcomposer.gateway.support.RealPlatform;
import io.xcomposer.gateway.support.SharedBrowser;
import java.awt.Color;
import java.awt.Graphics2D;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Random;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.By;
import org.openqa.selenium.Keys;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.WebElement;

/** The gallery view in Debian's Chromium against the real retrieval-service behind the gateway. */
class GalleryBrowserIntegrationTests {

    private static final Duration WAIT = Duration.ofSeconds(60);

    private static RealPlatform platform;
    private static SharedBrowser browser;

    @TempDir
    Path folder;

    private WebDriver driver;

    @BeforeAll
    static void start() {
        assumeTrue(
                SharedBrowser.available(),
                "chromium and chromium-driver are not installed (scripts/test installs them)");
        platform = RealPlatform.get();
        browser = SharedBrowser.get();
    }

    @Test
    void searchingByText_showsMatchingGalleryImages() {
        openGallery(1280);
        driver.findElement(By.id("gallery-query")).sendKeys("A small red circle at the top left", Keys.ENTER);

        List<WebElement> hits = awaitHits();
        assertThat(hits).hasSizeGreaterThan(1);
        assertThat(hits.getFirst()
                        .findElement(By.tagName("figcaption"))
                        .getText()
                        .toLowerCase())
                .contains("red circle");
        browser.waiting(WAIT)
                .until(d -> Boolean.TRUE.equals(
                        browser.js("return Array.from(document.querySelectorAll('#gallery-results img'))"
                                + ".every(function (img) { return img.complete && img.naturalWidth > 0; })")));
        browser.screenshot("gallery-text-search-1280");
    }

    @Test
    void bulkUpload_showsTheJobsProgress_thenSearchByImageFindsAnUploadedOne() throws IOException {
        List<Path> images = List.of(scene(1), scene(2), scene(3));
        openGallery(390);
        driver.findElement(By.id("gallery-files"))
                .sendKeys(String.join("\n", images.stream().map(Path::toString).toList()));
        driver.findElement(By.id("gallery-tags")).sendKeys("browser-test");
        driver.findElement(By.id("gallery-upload")).click();

        WebElement status = driver.findElement(By.id("gallery-upload-status"));
        browser.waiting(WAIT)
                .until(d -> status.getDomAttribute("data-status") != null
                        && !"running".equals(status.getDomAttribute("data-status")));
        assertThat(status.getDomAttribute("data-status")).isEqualTo("completed");
        assertThat(status.getText()).contains("3 of 3 done");
        WebElement progress = driver.findElement(By.id("gallery-progress"));
        assertThat(progress.getDomProperty("value")).isEqualTo("3");
        assertThat(progress.getDomProperty("max")).isEqualTo("3");
        browser.screenshot("gallery-bulk-390");

        driver.findElement(By.id("gallery-search-image")).sendKeys(images.get(1).toString());
        List<WebElement> hits = awaitHits();
        assertThat(hits.getFirst().findElement(By.tagName("figcaption")).getText())
                .endsWith("1.000");
    }

    @Test
    void uploadingOneImage_addsIt_andAgainSaysItIsThere() throws IOException {
        Path image = scene(7);
        openGallery(1280);
        for (String expected : List.of("Added img_", "Already in the gallery: img_")) {
            driver.findElement(By.id("gallery-files")).sendKeys(image.toString());
            driver.findElement(By.id("gallery-caption")).clear();
            driver.findElement(By.id("gallery-caption")).sendKeys("a generated test scene");
            driver.findElement(By.id("gallery-upload")).click();
            browser.waiting(WAIT)
                    .until(d -> d.findElement(By.id("gallery-upload-status"))
                            .getText()
                            .startsWith(expected));
            assertThat(awaitHits().getFirst().findElement(By.tagName("img")).getDomAttribute("src"))
                    .startsWith(platform.url() + "/v1/gallery/images/img_");
        }
    }

    private void openGallery(int width) {
        browser.open(platform.url(), "", platform.newKey("browser-gallery"), width);
        driver = browser.driver();
        driver.findElement(By.id("tab-gallery")).click();
    }

    private List<WebElement> awaitHits() {
        browser.waiting(WAIT).until(d -> {
            String count = d.findElement(By.id("gallery-results")).getDomAttribute("data-count");
            return count != null && !count.isEmpty();
        });
        return driver.findElements(By.cssSelector("#gallery-results figure.hit"));
    }

    /** A 64 px scene of random coloured blocks, different for each seed and from the seeded gallery. */
    private Path scene(int seed) throws IOException {
        Random random = new Random(seed * 7919L + System.nanoTime());
        BufferedImage image = new BufferedImage(64, 64, BufferedImage.TYPE_INT_RGB);
        Graphics2D graphics = image.createGraphics();
        for (int i = 0; i < 6; i++) {
            graphics.setColor(new Color(random.nextInt(0xFFFFFF)));
            graphics.fillRect(random.nextInt(48), random.nextInt(48), 8 + random.nextInt(24), 8 + random.nextInt(24));
        }
        graphics.dispose();
        Path file = folder.resolve("scene-" + seed + ".png");
        ImageIO.write(image, "png", file.toFile());
        return file;
    }
}
