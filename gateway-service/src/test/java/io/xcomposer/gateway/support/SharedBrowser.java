package io.xcomposer.gateway.support;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * One headless Debian Chromium (Selenium, driver path given explicitly so Selenium Manager downloads nothing) for
 * every browser test class of the JVM: starting Chromium costs seconds on the CI's two cores, and the tests need a
 * fresh page, not a fresh browser. Each test starts from {@link #open} (its own key in session storage, a clean
 * page). Screenshots go to {@code target/screenshots}, downloads to {@code target/downloads}.
 */
public final class SharedBrowser {

    public static final File CHROMEDRIVER = new File("/usr/bin/chromedriver");
    public static final String CHROMIUM = "/usr/bin/chromium";
    public static final Path SCREENSHOTS = Path.of("target", "screenshots");
    public static final Path DOWNLOADS = Path.of("target", "downloads").toAbsolutePath();

    private static SharedBrowser shared;

    private final ChromeDriver driver;

    private SharedBrowser() throws IOException {
        Path profile = Files.createTempDirectory("chromium-profile");
        Files.createDirectories(DOWNLOADS);
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
                "--window-size=1280,900",
                "--user-data-dir=" + profile);
        options.setExperimentalOption(
                "prefs",
                Map.of("download.default_directory", DOWNLOADS.toString(), "download.prompt_for_download", false));
        driver = new ChromeDriver(
                new ChromeDriverService.Builder()
                        .usingDriverExecutable(CHROMEDRIVER)
                        .build(),
                options);
        Runtime.getRuntime().addShutdownHook(new Thread(driver::quit));
    }

    public static boolean available() {
        return CHROMEDRIVER.canExecute() && new File(CHROMIUM).canExecute();
    }

    public static synchronized SharedBrowser get() {
        if (shared == null) {
            try {
                shared = new SharedBrowser();
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        return shared;
    }

    public WebDriver driver() {
        return driver;
    }

    /**
     * The page at {@code base + "/" + hash} with {@code key} in session storage (none: the page asks for one), at the
     * given CSS viewport width.
     */
    public void open(String base, String hash, String key, int width) {
        viewport(width, 900);
        // Any page of the origin reaches its storage; the stylesheet makes no API call.
        driver.get(base + "/style.css");
        js("sessionStorage.clear(); localStorage.clear();");
        if (key != null) {
            js("sessionStorage.setItem('xcomposer.apiKey', arguments[0])", key);
        }
        driver.get(base + "/" + hash);
    }

    /** The CSS viewport, as a phone of that width would have it. */
    public void viewport(int width, int height) {
        driver.executeCdpCommand(
                "Emulation.setDeviceMetricsOverride",
                Map.of("width", width, "height", height, "deviceScaleFactor", 1, "mobile", width < 600));
    }

    public Object js(String script, Object... args) {
        return ((JavascriptExecutor) driver).executeScript(script, args);
    }

    public WebDriverWait waiting(Duration timeout) {
        return new WebDriverWait(driver, timeout, Duration.ofMillis(50));
    }

    /** Saves the viewport as {@code target/screenshots/<name>.png}, kept as a build artifact. */
    public Path screenshot(String name) {
        try {
            Files.createDirectories(SCREENSHOTS);
            Path file = SCREENSHOTS.resolve(name + ".png");
            Files.write(file, driver.getScreenshotAs(OutputType.BYTES));
            return file;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
