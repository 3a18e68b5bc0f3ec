package io.xcomposer.gateway.auth;

import io.xcomposer.common.web.RequestPaths;
import java.util.List;
import java.util.Set;
import java.util.regex.Pattern;
import org.springframework.http.HttpMethod;

/**
 * Who may call what, decided before routing and by default-deny: a request is public only when its method and its
 * <em>plain</em> raw path (see {@link RequestPaths#isPlain}) match the short allowlist below exactly; {@code /admin}
 * and the non-probe actuator endpoints need the admin token, in whatever spelling they arrive; everything else —
 * every {@code /v1} route, unknown paths, odd spellings of public paths — needs an API key.
 */
public final class AccessPolicy {

    /** What a request has to present. */
    public enum Access {
        PUBLIC,
        API_KEY,
        ADMIN
    }

    private static final Set<HttpMethod> READ = Set.of(HttpMethod.GET, HttpMethod.HEAD);

    /** Public paths; every one is matched whole against a plain path. */
    private static final List<Pattern> PUBLIC_READS = List.of(
            // the web chat page and its static files (keys are typed into the page, never served)
            Pattern.compile("/"),
            Pattern.compile("/[A-Za-z0-9_-]{1,64}\\.(?:html|js|css|ico|png|svg)"),
            // probes: load balancers and kubelets carry no credentials
            Pattern.compile("/actuator/health(?:/liveness|/readiness)?"),
            // image bytes by id: Markdown renderers (our page, Open WebUI) load ![](.../content) without headers.
            // Ids are derived from the content (SHA-256), so only someone who has the link or the image finds it.
            Pattern.compile("/v1/gallery/images/[A-Za-z0-9_-]{1,128}/content"),
            Pattern.compile("/v1/images/[A-Za-z0-9_-]{1,128}/content"));

    private AccessPolicy() {}

    public static Access decide(HttpMethod method, String rawPath) {
        if (READ.contains(method)
                && RequestPaths.isPlain(rawPath)
                && PUBLIC_READS.stream()
                        .anyMatch(pattern -> pattern.matcher(rawPath).matches())) {
            return Access.PUBLIC;
        }
        String normalized = RequestPaths.normalized(rawPath);
        if (isUnder(normalized, "/admin") || isUnder(normalized, "/actuator")) {
            return Access.ADMIN;
        }
        return Access.API_KEY;
    }

    private static boolean isUnder(String normalized, String root) {
        return normalized.equals(root) || normalized.startsWith(root + "/");
    }
}
