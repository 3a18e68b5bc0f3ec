package io.xcomposer.gateway;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.xcomposer.gateway.support.RealPlatform;
import io.xcomposer.gateway.support.SharedBrowser;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.By;
import org.openqa.selenium.Keys;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.interactions.Actions;

/**
 * The chat page in Debian's Chromium ({@link SharedBrowser}) against the real platform ({@link RealPlatform}): the
 * CPU model server with model-repository/tiny, Redis, comprehension-, composition- and retrieval-service behind the
 * gateway. Nothing is a double: the answer is the model's. The composition view: {@link
 * CompositionBrowserIntegrationTests}; the gallery: {@link GalleryBrowserIntegrationTests}.
 */
class BrowserIntegrationTests {

    /** Held-out VQA item 237, answered correctly by the tiny model (greedy, the page's default). */
    private static final String IMAGE = "images/00237-0.png";

    private static final String QUESTION = "How many shapes are there?";
    private static final String ANSWER = "1.";

    private static final Duration MODEL_WAIT = Duration.ofSeconds(120);

    private static RealPlatform platform;
    private static SharedBrowser browser;

    private WebDriver driver;

    @BeforeAll
    static void startPlatform() {
        assumeTrue(
                SharedBrowser.available(),
                "chromium and chromium-driver are not installed (scripts/test installs them)");
        platform = RealPlatform.get();
        browser = SharedBrowser.get();
    }

    @Test
    void withoutAKey_thePageAsksForOne_beforeAnyApiCall_andKeepsItForTheSessionOnly() {
        String key = platform.newKey("browser-key");
        browser.open(platform.url(), "", null, 1280);
        driver = browser.driver();

        WebElement dialog = driver.findElement(By.id("key-dialog"));
        browser.waiting(Duration.ofSeconds(10))
                .until(d -> dialog.getDomProperty("open").equals("true"));
        assertThat(driver.switchTo().activeElement().getDomAttribute("id")).isEqualTo("api-key");
        // Escape does not leave the page keyless.
        driver.switchTo().activeElement().sendKeys(Keys.ESCAPE);
        browser.waiting(Duration.ofSeconds(5))
                .until(d -> dialog.getDomProperty("open").equals("true"));
        assertThat(driver.switchTo().activeElement().getDomAttribute("id")).isEqualTo("api-key");
        browser.screenshot("key-prompt");
        assertThat(apiCalls()).as("API calls before a key was entered").isEmpty();

        driver.findElement(By.id("api-key")).sendKeys(key, Keys.ENTER);

        browser.waiting(Duration.ofSeconds(10))
                .until(d -> !d.findElements(By.cssSelector("#model option")).isEmpty());
        assertThat(dialog.getDomProperty("open")).isEqualTo("false");
        assertThat(apiCalls()).containsExactly("/v1/models");
        assertThat(driver.findElement(By.cssSelector("#model option")).getText())
                .isEqualTo("xcomposer-tiny");
        assertThat(browser.js("return sessionStorage.getItem('xcomposer.apiKey')"))
                .isEqualTo(key);
        assertThat(browser.js("return localStorage.length")).isEqualTo(0L);
    }

    @Test
    void atPhoneWidth_sendAndStopAreOnScreen_andTheAnswerStreamsIn() {
        askAndSeeTheAnswer(390, "chat-390");
        for (int width : new int[] {390, 360}) {
            browser.viewport(width, 800);
            assertThat(browser.js("return document.documentElement.scrollWidth"))
                    .as("page width at %d px (no sideways scrolling)", width)
                    .isEqualTo((long) width);
            for (String id : List.of("send", "stop", "image-input", "new-chat")) {
                assertOnScreen(id.equals("image-input") ? "label[for='image-input']" : "#" + id, width);
            }
        }
        browser.screenshot("chat-360");
    }

    @Test
    void atDesktopWidth_anImageAndAQuestion_getTheModelsAnswer() {
        askAndSeeTheAnswer(1280, "chat-1280");
    }

    @Test
    void aFailedAnswer_showsTheErrorInItsBubble_andRetrySendsItAgain() {
        String key = platform.newKey("browser-retry");
        browser.open(platform.url(), "", "xc-not-a-key", 390);
        driver = browser.driver();
        browser.waiting(Duration.ofSeconds(10))
                .until(d -> !d.findElement(By.id("key-status")).getText().isBlank());
        assertThat(driver.findElement(By.id("key-status")).getText()).contains("refused");
        // The image's upload is refused as well; Retry uploads it again.
        driver.findElement(By.id("image-input"))
                .sendKeys(platform.evalFile(IMAGE).toString());
        driver.findElement(By.id("prompt")).sendKeys(QUESTION, Keys.ENTER);

        WebElement answer = browser.waiting(MODEL_WAIT)
                .until(d -> d.findElements(By.cssSelector("#messages .assistant[data-error='true']")).stream()
                        .findFirst()
                        .orElse(null));
        assertThat(answer.getText()).contains("401").doesNotContain("…");
        WebElement retry = answer.findElement(By.cssSelector("button.retry"));
        assertThat(retry.isDisplayed()).isTrue();
        browser.screenshot("chat-error-retry-390");

        // The user fixes the key and retries: the same message is sent again, into the same bubble.
        driver.findElement(By.id("change-key")).click();
        WebElement field = driver.findElement(By.id("api-key"));
        field.clear();
        field.sendKeys(key, Keys.ENTER);
        retry.click();

        browser.waiting(MODEL_WAIT)
                .until(d -> "true".equals(answer.getDomAttribute("data-done"))
                        && answer.getDomAttribute("data-error") == null);
        assertThat(answer.getText().trim()).isEqualTo(ANSWER);
        assertThat(driver.findElements(By.cssSelector("#messages .assistant"))).hasSize(1);
        assertThat(driver.findElements(By.cssSelector("#messages .user"))).hasSize(1);
    }

    @Test
    void everyControlIsLabelled_keyboardFocusIsVisible_andTextHasAaContrast() {
        browser.open(platform.url(), "", platform.newKey("browser-a11y"), 1280);
        driver = browser.driver();
        browser.waiting(Duration.ofSeconds(10))
                .until(d -> !d.findElements(By.cssSelector("#model option")).isEmpty());
        for (String view : List.of("chat", "compose", "gallery")) {
            driver.findElement(By.id("tab-" + view)).click();
            assertThat(browser.js("return Array.from(document.querySelectorAll('input, select, textarea'))"
                            + ".filter(function (e) { return !(e.labels && e.labels.length) && !e.getAttribute('aria-label'); })"
                            + ".map(function (e) { return e.id || e.outerHTML; })"))
                    .as("controls without a label in %s", view)
                    .isEqualTo(List.of());
            assertThat(browser.js(CONTRAST + "return lowContrast();"))
                    .as("text below 4.5:1 in %s", view)
                    .isEqualTo(List.of());
        }
        driver.findElement(By.id("tab-chat")).click();
        driver.findElement(By.id("prompt")).click();
        // Tab walks the chat's controls in reading order; the visually hidden file input shows its ring on its label.
        // (Keys go through Actions: sendKeys on a file input would take them for a file name.)
        Actions keyboard = new Actions(driver);
        keyboard.sendKeys(Keys.TAB).perform();
        assertThat(driver.switchTo().activeElement().getDomAttribute("id")).isEqualTo("image-input");
        assertThat(browser.js(
                        "return getComputedStyle(document.querySelector(\"label[for='image-input']\")).outlineStyle"))
                .as("focus ring of Attach")
                .isEqualTo("solid");
        keyboard.sendKeys(Keys.TAB).perform();
        assertThat(driver.switchTo().activeElement().getDomAttribute("id")).isEqualTo("new-chat");
        keyboard.sendKeys(Keys.TAB).perform();
        WebElement focused = driver.switchTo().activeElement();
        assertThat(focused.getDomAttribute("id"))
                .as("Stop is disabled while nothing runs")
                .isEqualTo("send");
        assertThat(browser.js("return getComputedStyle(arguments[0]).outlineStyle", focused))
                .as("focus ring")
                .isEqualTo("solid");
    }

    /**
     * WCAG 2 contrast of every visible element's own text against the first opaque background behind it; disabled
     * controls and placeholders are exempt, as WCAG has it.
     */
    private static final String CONTRAST = "function rgb(c) { var m = c.match(/[\\d.]+/g).map(Number); return m; }"
            + "function lum(c) { return [0, 1, 2].map(function (i) { var v = c[i] / 255;"
            + "  return v <= 0.03928 ? v / 12.92 : Math.pow((v + 0.055) / 1.055, 2.4); })"
            + "  .reduce(function (s, v, i) { return s + v * [0.2126, 0.7152, 0.0722][i]; }, 0); }"
            + "function background(e) { for (; e; e = e.parentElement) { var b = rgb(getComputedStyle(e).backgroundColor);"
            + "  if (b.length < 4 || b[3] > 0.9) return b; } return [255, 255, 255]; }"
            + "function lowContrast() { return Array.from(document.querySelectorAll('body *')).filter(function (e) {"
            + "  if (e.disabled || !e.offsetParent && getComputedStyle(e).position !== 'fixed') return false;"
            + "  var own = Array.from(e.childNodes).some(function (n) { return n.nodeType === 3 && n.textContent.trim(); });"
            + "  if (!own) return false;"
            + "  var a = lum(rgb(getComputedStyle(e).color)), b = lum(background(e));"
            + "  return (Math.max(a, b) + 0.05) / (Math.min(a, b) + 0.05) < 4.5;"
            + "}).map(function (e) { return e.tagName + '#' + e.id + '.' + e.className + ': ' + e.textContent.trim().slice(0, 30); }); }";

    private void askAndSeeTheAnswer(int width, String screenshot) {
        String key = platform.newKey("browser-chat-" + width);
        browser.open(platform.url(), "", key, width);
        driver = browser.driver();
        driver.findElement(By.id("image-input"))
                .sendKeys(platform.evalFile(IMAGE).toString());
        assertThat(driver.findElements(By.cssSelector("#attachments img"))).hasSize(1);
        driver.findElement(By.id("prompt")).sendKeys(QUESTION);
        // Every text the answer shows, recorded in the page as it changes (the placeholder, then the streamed text).
        browser.js(
                "window.answerTexts = [];"
                        + "new MutationObserver(function () {"
                        + "  var answer = document.querySelector('#messages .assistant');"
                        + "  if (answer) window.answerTexts.push(answer.textContent);"
                        + "}).observe(document.getElementById('messages'), {childList: true, subtree: true, characterData: true})");
        assertOnScreen("#send", width);
        driver.findElement(By.id("send")).click();

        WebElement answer = browser.waiting(MODEL_WAIT)
                .until(d -> d.findElements(By.cssSelector("#messages .assistant[data-done='true']")).stream()
                        .findFirst()
                        .orElse(null));

        assertThat(answer.getDomAttribute("data-error")).isNull();
        assertThat(answer.getText().trim()).isEqualTo(ANSWER);
        @SuppressWarnings("unchecked")
        List<String> texts = (List<String>) browser.js("return window.answerTexts");
        assertThat(texts)
                .as("texts the answer showed while streaming")
                .contains("…")
                .anySatisfy(text -> assertThat(text.trim()).isEqualTo(ANSWER));
        assertThat(driver.findElements(By.cssSelector("#messages .user img"))).hasSize(1);
        assertThat(driver.findElement(By.cssSelector("#messages .user")).getText())
                .isEqualTo(QUESTION);
        browser.screenshot(screenshot);
    }

    /** The element lies wholly inside the viewport (not cut off, not scrolled away sideways). */
    private void assertOnScreen(String selector, int width) {
        @SuppressWarnings("unchecked")
        Map<String, Number> box = (Map<String, Number>) browser.js(
                "var r = document.querySelector(arguments[0]).getBoundingClientRect();"
                        + "return {left: r.left, right: r.right, width: r.width};",
                selector);
        assertThat(box.get("left").doubleValue())
                .as("%s left at %d px", selector, width)
                .isGreaterThanOrEqualTo(0);
        assertThat(box.get("right").doubleValue())
                .as("%s right at %d px", selector, width)
                .isLessThanOrEqualTo(width);
        assertThat(box.get("width").doubleValue()).as("%s width", selector).isGreaterThan(30);
    }

    /** Paths of the API calls this page load made so far ({@code /v1/...}), in order. */
    @SuppressWarnings("unchecked")
    private List<String> apiCalls() {
        return (List<String>) browser.js("return performance.getEntriesByType('resource')"
                + ".map(function (e) { return new URL(e.name).pathname; })"
                + ".filter(function (p) { return p.indexOf('/v1/') === 0; })");
    }
}
