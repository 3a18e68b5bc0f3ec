package io.xcomposer.gateway;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.xcomposer.gateway.support.RealPlatform;
import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
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
 * nothing) against the real platform ({@link RealPlatform}): the CPU model server with model-repository/tiny, Redis,
 * comprehension-, composition- and retrieval-service (seeded with the tiny gallery) behind the gateway. Nothing is
 * a double: the answer is the model's, the article and its images are composition's and retrieval's.
 */
class BrowserIntegrationTests {

    private static final File CHROMEDRIVER = new File("/usr/bin/chromedriver");
    private static final String CHROMIUM = "/usr/bin/chromium";

    /** Held-out VQA item 237, answered correctly by the tiny model (greedy, the page's default). */
    private static final String IMAGE = "images/00237-0.png";

    private static final String QUESTION = "How many shapes are there?";
    private static final String ANSWER = "1.";

    private static final Duration MODEL_WAIT = Duration.ofSeconds(120);

    private static RealPlatform platform;

    private WebDriver driver;
    private Path profile;

    @BeforeAll
    static void startPlatform() {
        assumeTrue(
                CHROMEDRIVER.canExecute() && new File(CHROMIUM).canExecute(),
                "chromium and chromium-driver are not installed (scripts/test installs them)");
        platform = RealPlatform.get();
    }

    @BeforeEach
    void startBrowser() throws Exception {
        profile = Files.createTempDirectory("chromium-profile");
        ChromeOptions options = new ChromeOptions();
        options.setBinary(CHROMIUM);
        options.addArguments(
                "--headless=new",
                "--no-sandbox",
                "--disable-dev-shm-usage",
                "--disable-gpu",
                "--disable-quic",
                "--no-first-run",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                "--user-data-dir=" + profile);
        driver = new ChromeDriver(
                new ChromeDriverService.Builder()
                        .usingDriverExecutable(CHROMEDRIVER)
                        .build(),
                options);
    }

    @AfterEach
    void stopBrowser() {
        if (driver != null) {
            driver.quit();
        }
    }

    @Test
    void uploadAnImage_ask_andSeeTheModelsAnswerStreamIn() {
        String key = platform.newKey("browser-chat");
        driver.get(platform.url() + "/");
        WebElement keyField = driver.findElement(By.id("api-key"));
        keyField.sendKeys(key);
        js("arguments[0].dispatchEvent(new Event('change'))", keyField);
        driver.findElement(By.id("image-input"))
                .sendKeys(platform.evalFile(IMAGE).toString());
        assertThat(driver.findElements(By.cssSelector("#attachments img"))).hasSize(1);
        driver.findElement(By.id("prompt")).sendKeys(QUESTION);
        // Every text the answer shows, recorded in the page as it changes (the placeholder, then the streamed text).
        js(
                "window.answerTexts = [];"
                        + "new MutationObserver(function () {"
                        + "  var answer = document.querySelector('#messages .assistant');"
                        + "  if (answer) window.answerTexts.push(answer.textContent);"
                        + "}).observe(document.getElementById('messages'), {childList: true, subtree: true, characterData: true})");
        driver.findElement(By.id("send")).click();

        WebDriverWait wait = new WebDriverWait(driver, MODEL_WAIT, Duration.ofMillis(50));
        WebElement answer =
                wait.until(d -> d.findElements(By.cssSelector("#messages .assistant[data-done='true']")).stream()
                        .findFirst()
                        .orElse(null));

        assertThat(driver.findElement(By.id("error")).getText()).isEmpty();
        assertThat(answer.getText().trim()).isEqualTo(ANSWER);
        @SuppressWarnings("unchecked")
        List<String> texts = (List<String>) js("return window.answerTexts");
        assertThat(texts)
                .as("texts the answer showed while streaming")
                .contains("…")
                .anySatisfy(text -> assertThat(text.trim()).isEqualTo(ANSWER));
        assertThat(driver.findElements(By.cssSelector("#messages .user img"))).hasSize(1);
        assertThat(driver.findElement(By.cssSelector("#messages .user")).getText())
                .isEqualTo(QUESTION);
        assertThat(js("return localStorage.getItem('xcomposer.apiKey')")).isEqualTo(key);
    }

    @Test
    void composeAnArticle_andSeeItsParagraphsAndImagesAppear() {
        String key = platform.newKey("browser-compose");
        driver.get(platform.url() + "/");
        js("localStorage.setItem('xcomposer.apiKey', arguments[0])", key);
        driver.navigate().refresh();
        driver.findElement(By.id("tab-compose")).click();
        driver.findElement(By.id("title")).sendKeys("A Tour of Red Circles");
        driver.findElement(By.id("compose")).click();

        WebDriverWait wait = new WebDriverWait(driver, MODEL_WAIT, Duration.ofMillis(50));
        wait.until(d -> d.findElements(By.cssSelector("#article section .text")).stream()
                .anyMatch(element -> !element.getText().isBlank()));
        wait.until(d -> "true".equals(d.findElement(By.id("article")).getDomAttribute("data-done")));

        assertThat(driver.findElement(By.id("compose-status")).getText()).isEqualTo("Done.");
        assertThat(driver.findElement(By.id("error")).getText()).isEmpty();
        List<WebElement> paragraphs = driver.findElements(By.cssSelector("#article section .text"));
        assertThat(paragraphs).as("paragraphs").hasSizeGreaterThanOrEqualTo(3);
        assertThat(paragraphs.stream()
                        .filter(paragraph -> !paragraph.getText().isBlank())
                        .count())
                .as("paragraphs with text")
                .isGreaterThanOrEqualTo(3);
        assertThat(paragraphs.get(1).getText()).startsWith("In the first picture");

        List<WebElement> images = driver.findElements(By.cssSelector("#article img.article-image"));
        assertThat(images).as("article images").isNotEmpty();
        for (WebElement image : images) {
            assertThat(image.getDomAttribute("src"))
                    .matches(java.util.regex.Pattern.quote(platform.url()) + "/v1/gallery/images/[^/]+/content");
            assertThat(image.getDomAttribute("alt")).isNotBlank();
            wait.until(d -> Boolean.TRUE.equals(js("return arguments[0].complete", image)));
            assertThat(((Number) js("return arguments[0].naturalWidth", image)).intValue())
                    .as("naturalWidth of %s", image.getDomAttribute("src"))
                    .isPositive();
        }
        assertThat(images.stream().map(image -> image.getDomAttribute("src")).distinct())
                .hasSameSizeAs(images);
    }

    private Object js(String script, Object... args) {
        return ((JavascriptExecutor) driver).executeScript(script, args);
    }
}
