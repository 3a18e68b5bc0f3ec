package io.xcomposer.gateway;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashSet;
import java.util.Set;

import io.xcomposer.gateway.support.GatewayIntegrationTest;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.By;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * The web chat page in Debian's Chromium (Selenium, driver path given explicitly so Selenium Manager downloads
 * nothing). Downstream is the loopback double: the answer text, the uploaded image id and the composition events
 * are the double's; the page, its SSE parsing, Markdown rendering and the gateway path are real.
 */
class BrowserIntegrationTests extends GatewayIntegrationTest {

    private static final File CHROMEDRIVER = new File("/usr/bin/chromedriver");
    private static final String CHROMIUM = "/usr/bin/chromium";

    private WebDriver driver;
    private Path profile;

    @BeforeEach
    void startBrowser() throws Exception {
        assumeTrue(CHROMEDRIVER.canExecute() && new File(CHROMIUM).canExecute(),
                "chromium and chromium-driver are not installed (scripts/test installs them)");
        profile = Files.createTempDirectory("chromium-profile");
        ChromeOptions options = new ChromeOptions();
        options.setBinary(CHROMIUM);
        options.addArguments("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--disable-gpu",
                "--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update",
                "--disable-sync", "--user-data-dir=" + profile);
        driver = new ChromeDriver(new ChromeDriverService.Builder().usingDriverExecutable(CHROMEDRIVER).build(),
                options);
    }

    @AfterEach
    void stopBrowser() {
        if (driver != null) {
            driver.quit();
        }
        DOWNSTREAM.tokenDelay = Duration.ofMillis(10);
    }

    @Test
    void uploadAnImage_ask_andSeeTheAnswerStreamIn() throws Exception {
        DOWNSTREAM.tokenDelay = Duration.ofMillis(60); // slow enough to watch the answer grow
        String key = newKey();
        Path image = Files.createTempFile("shape", ".png");
        Files.write(image, client().get().uri("/v1/gallery/images/g1/content").exchange()
                .expectBody(byte[].class).returnResult().getResponseBody());

        driver.get("http://127.0.0.1:" + port + "/");
        WebElement keyField = driver.findElement(By.id("api-key"));
        keyField.sendKeys(key);
        ((JavascriptExecutor) driver).executeScript("arguments[0].dispatchEvent(new Event('change'))", keyField);
        driver.findElement(By.id("image-input")).sendKeys(image.toString());
        driver.findElement(By.id("prompt")).sendKeys("How many shapes are there?");
        driver.findElement(By.id("send")).click();

        Set<String> seen = new LinkedHashSet<>();
        WebDriverWait wait = new WebDriverWait(driver, Duration.ofSeconds(20), Duration.ofMillis(20));
        wait.until(d -> {
            WebElement answer = d.findElements(By.cssSelector("#messages .assistant")).stream().findFirst()
                    .orElse(null);
            if (answer == null) {
                return false;
            }
            seen.add(answer.getText());
            return "true".equals(answer.getDomAttribute("data-done"));
        });
        String answer = driver.findElement(By.cssSelector("#messages .assistant")).getText();
        assertThat(answer).isEqualTo(DOWNSTREAM.expectedText(7, 30).trim());
        assertThat(seen).as("partial answers seen while streaming").hasSizeGreaterThan(3);
        assertThat(DOWNSTREAM.chatBodies.get(DOWNSTREAM.chatBodies.size() - 1))
                .contains("img_00112233445566778899aabb").contains("How many shapes are there?");
        assertThat(driver.findElements(By.cssSelector("#messages .user img"))).hasSize(1);
        assertThat(((JavascriptExecutor) driver).executeScript("return localStorage.getItem('xcomposer.apiKey')"))
                .isEqualTo(key);
    }

    @Test
    void composeAnArticle_andSeeItsImageAppear() {
        String key = newKey();
        driver.get("http://127.0.0.1:" + port + "/");
        ((JavascriptExecutor) driver).executeScript("localStorage.setItem('xcomposer.apiKey', arguments[0])", key);
        driver.navigate().refresh();
        driver.findElement(By.id("tab-compose")).click();
        driver.findElement(By.id("title")).sendKeys("Shapes");
        driver.findElement(By.id("compose")).click();

        WebDriverWait wait = new WebDriverWait(driver, Duration.ofSeconds(20), Duration.ofMillis(50));
        WebElement text = wait.until(d -> d.findElements(By.cssSelector("#article section .text")).stream()
                .filter(element -> !element.getText().isBlank()).findFirst().orElse(null));
        // Text arrives before any image is selected, as in the pipeline.
        assertThat(driver.findElements(By.cssSelector("img.article-image"))).isEmpty();
        assertThat(text.getText()).startsWith("Shapes are");
        WebElement image = wait.until(d -> d.findElements(By.cssSelector("img.article-image")).stream().findFirst()
                .orElse(null));
        wait.until(d -> ((Number) ((JavascriptExecutor) d).executeScript("return arguments[0].naturalWidth", image))
                .intValue() > 0);
        assertThat(image.getDomAttribute("alt")).isEqualTo("a red square");
        wait.until(d -> "true".equals(d.findElement(By.id("article")).getDomAttribute("data-done")));
        assertThat(driver.findElement(By.id("compose-status")).getText()).isEqualTo("Done.");
    }
}
