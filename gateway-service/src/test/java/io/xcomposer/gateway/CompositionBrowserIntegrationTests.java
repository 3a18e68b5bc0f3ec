package io.xcomposer.gateway;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.xcomposer.gateway.support.RealPlatform;
import io.xcomposer.gateway.support.SharedBrowser;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;
import java.util.stream.StreamSupport;
import java.util.zip.ZipEntry;
import java.util.zip.ZipInputStream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.openqa.selenium.By;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.WebElement;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * The composition view in Debian's Chromium against the real platform: an article composed through the page, then
 * every editing operation done by clicking, each checked against what the composition API then stores. The tests run
 * in order on one page (one article), as a user edits it; the Chinese article is its own.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class CompositionBrowserIntegrationTests {

    private static final Duration MODEL_WAIT = Duration.ofSeconds(180);
    private static final Pattern CJK = Pattern.compile("\\p{IsHan}");
    private static final JsonMapper JSON = JsonMapper.builder().build();
    private static final HttpClient HTTP = HttpClient.newHttpClient();

    private static RealPlatform platform;
    private static SharedBrowser browser;
    private static String key;
    private static String compositionId;

    private WebDriver driver;

    @BeforeAll
    static void start() {
        assumeTrue(
                SharedBrowser.available(),
                "chromium and chromium-driver are not installed (scripts/test installs them)");
        platform = RealPlatform.get();
        browser = SharedBrowser.get();
        key = platform.newKey("browser-compose");
    }

    @Test
    @Order(1)
    void composing_walksTheSteps_andShowsEachSlotsFourCandidatesWithTheModelsPick() {
        browser.open(platform.url(), "", key, 1280);
        driver = browser.driver();
        driver.findElement(By.id("tab-compose")).click();
        // Every step the indicator shows, recorded in the page as it changes.
        browser.js("window.stepsSeen = [];"
                + "new MutationObserver(function () {"
                + "  var s = document.getElementById('steps').dataset.step;"
                + "  if (window.stepsSeen[window.stepsSeen.length - 1] !== s) window.stepsSeen.push(s);"
                + "}).observe(document.getElementById('steps'), {attributes: true})");
        driver.findElement(By.id("title")).sendKeys("A Tour of Red Circles");
        driver.findElement(By.id("compose-select")).click();
        driver.findElement(By.id("compose")).click();

        awaitDone();
        compositionId = driver.findElement(By.id("article")).getDomAttribute("data-composition-id");
        JsonNode state = state();

        // "slots" shows while the spot step runs, once the text has stopped for a moment (no event marks the end of
        // writing); a fast spot step may never show it.
        @SuppressWarnings("unchecked")
        List<String> seen = (List<String>) browser.js("return window.stepsSeen");
        int captions = seen.indexOf("captions");
        assertThat(seen.subList(0, captions))
                .startsWith("writing")
                .allMatch(step -> List.of("writing", "slots").contains(step));
        assertThat(seen.subList(captions, seen.size()))
                .containsExactly("captions", "candidates", "selection", "complete");
        assertThat(driver.findElements(By.cssSelector("#steps li.done"))).hasSize(5);
        assertThat(driver.findElement(By.id("compose-status")).getText()).isEqualTo("Done.");
        assertThat(driver.findElement(By.id("article")).getDomAttribute("lang")).isEqualTo("en");
        List<WebElement> paragraphs = driver.findElements(By.cssSelector("#article section .text"));
        assertThat(paragraphs).hasSameSizeAs(blocks(state, "text"));
        assertThat(paragraphs.get(1).getText()).startsWith("In the first picture");

        List<JsonNode> slots = blocks(state, "image");
        assertThat(slots).isNotEmpty();
        for (JsonNode slot : slots) {
            WebElement figure = figure(slot.get("paragraph").asInt());
            assertThat(figure.findElement(By.tagName("figcaption")).getText())
                    .isEqualTo(slot.get("caption").asString());
            List<WebElement> candidates = figure.findElements(By.cssSelector(".candidate"));
            assertThat(candidates).hasSize(4);
            int chosen = slot.get("candidate").asInt();
            assertThat(candidates.get(chosen).getDomAttribute("aria-pressed")).isEqualTo("true");
            assertThat(figure.findElements(By.cssSelector(".candidate.pick"))).hasSize(1);
            assertThat(figure.findElement(By.cssSelector(".candidate.pick")).getDomAttribute("data-index"))
                    .isEqualTo(String.valueOf(chosen));
            assertThat(figure.findElement(By.cssSelector(".candidate.pick .badge"))
                            .getText())
                    .isIn("model's pick", "fallback pick (A)");
            WebElement image = figure.findElement(By.cssSelector("img.article-image"));
            assertThat(image.getDomAttribute("src"))
                    .isEqualTo(slot.get("image").get("url").asString());
            assertCrisplyScaled(image);
        }
        browser.screenshot("compose-en-1280");
    }

    @Test
    @Order(2)
    void clickingAnotherCandidate_showsIt_andKeepsTheModelsPickMarked() {
        driver = browser.driver();
        JsonNode slot = blocks(state(), "image").getFirst();
        int paragraph = slot.get("paragraph").asInt();
        int other = (slot.get("candidate").asInt() + 1) % 4;
        String otherUrl = slot.get("candidates").get(other).get("url").asString();

        figure(paragraph).findElements(By.cssSelector(".candidate")).get(other).click();
        awaitEdit();

        JsonNode after = slotOf(state(), paragraph);
        assertThat(after.get("candidate").asInt()).isEqualTo(other);
        assertThat(after.get("selection").asString()).isEqualTo("user");
        WebElement figure = figure(paragraph);
        assertThat(figure.findElement(By.cssSelector("img.article-image")).getDomAttribute("src"))
                .isEqualTo(otherUrl);
        assertThat(figure.findElements(By.cssSelector(".candidate")).get(other).getDomAttribute("aria-pressed"))
                .isEqualTo("true");
        assertThat(figure.findElement(By.cssSelector(".candidate.pick")).getDomAttribute("data-index"))
                .as("the model's pick stays marked")
                .isEqualTo(slot.get("candidate").asString());
        browser.js("arguments[0].scrollIntoView()", figure);
        browser.screenshot("compose-choose-other");
    }

    @Test
    @Order(3)
    void editingACaption_andSearchingAgain_bringsNewCandidates() {
        driver = browser.driver();
        JsonNode slot = blocks(state(), "image").getFirst();
        int paragraph = slot.get("paragraph").asInt();
        String caption = "A large green triangle at the bottom right";

        WebElement field = figure(paragraph).findElement(By.cssSelector(".caption-input"));
        field.clear();
        field.sendKeys(caption);
        figure(paragraph).findElement(By.cssSelector("button.research")).click();
        awaitEdit();

        JsonNode after = slotOf(state(), paragraph);
        assertThat(after.get("caption").asString()).isEqualTo(caption);
        assertThat(figure(paragraph).findElement(By.tagName("figcaption")).getText())
                .isEqualTo(caption);
        List<String> shown = figure(paragraph).findElements(By.cssSelector(".candidate img")).stream()
                .map(img -> img.getDomAttribute("src"))
                .toList();
        assertThat(shown)
                .containsExactlyElementsOf(
                        StreamSupport.stream(after.get("candidates").spliterator(), false)
                                .map(candidate -> candidate.get("url").asString())
                                .toList());
        assertThat(after.get("candidates").get(0).get("caption").asString().toLowerCase())
                .contains("green triangle");
    }

    @Test
    @Order(4)
    void deletingAnImage_removesItsFigure() {
        driver = browser.driver();
        List<JsonNode> before = blocks(state(), "image");
        int paragraph = before.getLast().get("paragraph").asInt();

        figure(paragraph).findElement(By.cssSelector("button.delete-image")).click();
        awaitEdit();

        assertThat(blocks(state(), "image")).hasSize(before.size() - 1);
        assertThat(slotOf(state(), paragraph)).isNull();
        assertThat(section(paragraph).findElements(By.tagName("figure"))).isEmpty();
        assertThat(section(paragraph).findElements(By.cssSelector("button.add-image")))
                .hasSize(1);
    }

    @Test
    @Order(5)
    void addingAnImageAtAParagraph_showsAFigureWithCandidates() {
        driver = browser.driver();
        JsonNode state = state();
        int paragraph = blocks(state, "text").stream()
                .mapToInt(block -> block.get("paragraph").asInt())
                .filter(index -> index > 0 && slotOf(state, index) == null)
                .findFirst()
                .orElseThrow();

        section(paragraph).findElement(By.cssSelector("button.add-image")).click();
        awaitEdit();

        JsonNode added = slotOf(state(), paragraph);
        assertThat(added).isNotNull();
        WebElement figure = figure(paragraph);
        assertThat(figure.findElement(By.cssSelector("img.article-image")).getDomAttribute("src"))
                .isEqualTo(added.get("image").get("url").asString());
        assertThat(figure.findElement(By.tagName("figcaption")).getText())
                .isEqualTo(added.get("caption").asString())
                .isNotBlank();
        assertThat(figure.findElements(By.cssSelector(".candidate")))
                .hasSize(added.get("candidates").size());
        browser.js("arguments[0].scrollIntoView()", section(paragraph));
        browser.screenshot("compose-added-image");
    }

    @Test
    @Order(6)
    void rewritingAParagraphByInstruction_replacesOnlyThatParagraph() {
        driver = browser.driver();
        List<String> before = texts(state());
        int paragraph = 1;

        WebElement instruction = section(paragraph).findElement(By.cssSelector(".rewrite-input"));
        instruction.sendKeys("shorten");
        section(paragraph).findElement(By.cssSelector("button.rewrite")).click();
        awaitEdit();

        List<String> after = texts(state());
        assertThat(after).hasSameSizeAs(before);
        for (int i = 0; i < after.size(); i++) {
            if (i != paragraph) {
                assertThat(after.get(i)).as("paragraph %d", i).isEqualTo(before.get(i));
            }
        }
        assertThat(section(paragraph).findElement(By.cssSelector(".text")).getText())
                .isEqualTo(after.get(paragraph).strip());
        assertThat(driver.findElement(By.id("tools-status")).getText()).isEqualTo("Done.");
    }

    @Test
    @Order(7)
    void exportingAZip_downloadsTheArticleAndItsImages() throws IOException {
        driver = browser.driver();
        Path zip = SharedBrowser.DOWNLOADS.resolve(compositionId + ".zip");
        Files.deleteIfExists(zip);

        driver.findElement(By.id("export-zip")).click();

        browser.waiting(Duration.ofSeconds(30)).until(d -> Files.isRegularFile(zip) && sizeOf(zip) > 0);
        Set<String> entries = new HashSet<>();
        String article = null;
        try (ZipInputStream in = new ZipInputStream(Files.newInputStream(zip))) {
            for (ZipEntry entry = in.getNextEntry(); entry != null; entry = in.getNextEntry()) {
                entries.add(entry.getName());
                if (entry.getName().equals("article.md")) {
                    article = new String(in.readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
                }
            }
        }
        assertThat(entries)
                .contains("article.md")
                .hasSize(1 + blocks(state(), "image").size());
        assertThat(article).startsWith("# A Tour of Red Circles");
        assertThat(driver.findElement(By.id("tools-status")).getText()).startsWith("Exported " + compositionId);
    }

    @Test
    @Order(8)
    void copyMarkdown_putsTheArticlesMarkdownOnTheClipboard() throws Exception {
        driver = browser.driver();
        browser.js("window.focus()");
        ((org.openqa.selenium.chrome.ChromeDriver) driver)
                .executeCdpCommand(
                        "Browser.grantPermissions",
                        Map.of(
                                "origin",
                                platform.url(),
                                "permissions",
                                List.of("clipboardReadWrite", "clipboardSanitizedWrite")));

        driver.findElement(By.id("copy-markdown")).click();
        browser.waiting(Duration.ofSeconds(10))
                .until(d -> d.findElement(By.id("tools-status")).getText().startsWith("Markdown copied"));

        Object copied = ((org.openqa.selenium.JavascriptExecutor) driver)
                .executeAsyncScript("var done = arguments[0];"
                        + "navigator.clipboard.readText().then(done, function (e) { done('failed: ' + e); });");
        String markdown = get("/v1/compositions/" + compositionId + "/markdown");
        assertThat(copied).isEqualTo(markdown);
        assertThat(markdown).contains("![");
    }

    @Test
    @Order(9)
    void aChineseArticle_showsTheCompositionsChineseCaptions_notTheGallerysEnglishOnes() {
        browser.open(platform.url(), "", key, 390);
        driver = browser.driver();
        driver.findElement(By.id("tab-compose")).click();
        driver.findElement(By.id("title")).sendKeys("红色圆形之旅");
        driver.findElement(By.id("compose")).click();
        awaitDone();
        compositionId = driver.findElement(By.id("article")).getDomAttribute("data-composition-id");
        JsonNode state = state();

        assertThat(state.get("language").asString()).isEqualTo("zh");
        assertThat(driver.findElement(By.id("article")).getDomAttribute("lang")).isEqualTo("zh");
        List<JsonNode> slots = blocks(state, "image");
        assertThat(slots).isNotEmpty();
        for (JsonNode slot : slots) {
            WebElement figure = figure(slot.get("paragraph").asInt());
            String caption = figure.findElement(By.tagName("figcaption")).getText();
            assertThat(caption).isEqualTo(slot.get("caption").asString()).containsPattern(CJK);
            assertThat(caption).isNotEqualTo(slot.get("image").get("caption").asString());
            assertThat(figure.findElement(By.cssSelector("img.article-image")).getDomAttribute("alt"))
                    .isEqualTo(caption);
        }
        assertThat(browser.js("return document.documentElement.scrollWidth")).isEqualTo(390L);
        browser.js(
                "arguments[0].scrollIntoView()",
                figure(slots.getFirst().get("paragraph").asInt()));
        browser.screenshot("compose-zh-390");
    }

    private void awaitDone() {
        browser.waiting(MODEL_WAIT)
                .until(d -> "true".equals(d.findElement(By.id("article")).getDomAttribute("data-done"))
                        && !d.findElement(By.id("compose-status")).getText().startsWith("Writing"));
        assertThat(driver.findElement(By.id("compose-status")).getText()).isEqualTo("Done.");
    }

    private void awaitEdit() {
        browser.waiting(MODEL_WAIT)
                .until(d -> "false".equals(d.findElement(By.id("article")).getDomAttribute("data-busy")));
        assertThat(driver.findElement(By.id("tools-status")).getText()).isEqualTo("Done.");
    }

    /** A 64 px scene is drawn at a whole multiple of its size, with hard pixel edges. */
    private void assertCrisplyScaled(WebElement image) {
        browser.waiting(Duration.ofSeconds(10))
                .until(d -> Boolean.TRUE.equals(
                        browser.js("return arguments[0].complete && arguments[0].naturalWidth > 0", image)));
        long natural = (Long) browser.js("return arguments[0].naturalWidth", image);
        long shown = Math.round(
                ((Number) browser.js("return arguments[0].getBoundingClientRect().width", image)).doubleValue());
        assertThat(natural).isEqualTo(64);
        assertThat(shown).isEqualTo(256);
        assertThat(browser.js("return getComputedStyle(arguments[0]).imageRendering", image))
                .isEqualTo("pixelated");
    }

    private WebElement section(int paragraph) {
        return driver.findElement(By.cssSelector("#article section[data-paragraph='" + paragraph + "']"));
    }

    private WebElement figure(int paragraph) {
        return section(paragraph).findElement(By.cssSelector("figure.slot"));
    }

    private static JsonNode state() {
        return JSON.readTree(get("/v1/compositions/" + compositionId));
    }

    private static List<JsonNode> blocks(JsonNode state, String type) {
        List<JsonNode> found = new ArrayList<>();
        state.get("blocks").forEach(block -> {
            if (block.get("type").asString().equals(type)) {
                found.add(block);
            }
        });
        return found;
    }

    private static JsonNode slotOf(JsonNode state, int paragraph) {
        return blocks(state, "image").stream()
                .filter(block -> block.get("paragraph").asInt() == paragraph)
                .findFirst()
                .orElse(null);
    }

    private static List<String> texts(JsonNode state) {
        return blocks(state, "text").stream()
                .map(block -> block.get("text").asString())
                .toList();
    }

    private static long sizeOf(Path file) {
        try {
            return Files.size(file);
        } catch (IOException e) {
            return 0;
        }
    }

    private static String get(String path) {
        try {
            HttpResponse<InputStream> response = HTTP.send(
                    HttpRequest.newBuilder(URI.create(platform.url() + path))
                            .header("Authorization", "Bearer " + key)
                            .timeout(Duration.ofSeconds(30))
                            .build(),
                    HttpResponse.BodyHandlers.ofInputStream());
            try (InputStream body = response.body()) {
                String text = new String(body.readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
                assertThat(response.statusCode()).as("GET %s: %s", path, text).isEqualTo(200);
                return text;
            }
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
