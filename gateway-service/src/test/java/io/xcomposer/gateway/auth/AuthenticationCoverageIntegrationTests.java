package io.xcomposer.gateway.auth;

import static org.assertj.core.api.Assertions.assertThat;

import io.xcomposer.gateway.support.GatewayIntegrationTest;
import java.io.IOException;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.core.io.Resource;
import org.springframework.core.io.support.PathMatchingResourcePatternResolver;
import org.springframework.http.HttpMethod;
import org.springframework.http.MediaType;
import org.springframework.test.web.reactive.server.WebTestClient;
import org.springframework.web.reactive.function.server.HandlerFunction;
import org.springframework.web.reactive.function.server.RequestPredicate;
import org.springframework.web.reactive.function.server.RequestPredicates;
import org.springframework.web.reactive.function.server.RouterFunction;
import org.springframework.web.reactive.function.server.RouterFunctions;
import org.springframework.web.reactive.function.server.ServerResponse;

/**
 * Every route the gateway serves — read from its router functions, its actuator and its static files, not from a hand
 * list — refuses a missing, a wrong and a revoked key, in its plain spelling and in every spelling a router might
 * take for it (path parameters, percent escapes, case, double slashes, dot segments). Only the allowlist of
 * {@link AccessPolicy} answers without a key, and only in its plain spelling.
 */
class AuthenticationCoverageIntegrationTests extends GatewayIntegrationTest {

    private static final Pattern TEMPLATE_VARIABLE = Pattern.compile("\\{[^}]*}");
    private static final List<HttpMethod> ANY_METHOD = List.of(HttpMethod.GET, HttpMethod.POST, HttpMethod.DELETE);

    @Autowired
    List<RouterFunction<ServerResponse>> routers;

    @Test
    void everyRouteRefusesMissingWrongAndRevokedKeysInEverySpelling() throws IOException {
        Map<String, Object> revoked = createKey("revoked", 0, 0);
        client().delete()
                .uri("/admin/keys/" + revoked.get("id"))
                .header("Authorization", "Bearer " + ADMIN_TOKEN)
                .exchange()
                .expectStatus()
                .isOk();
        Map<String, String> credentials = Map.of(
                "no key", "",
                "wrong key", "Bearer xc-this-is-not-a-key",
                "revoked key", "Bearer " + revoked.get("key"));

        Set<Route> routes = servedRoutes();
        assertThat(routes)
                .as("routes found")
                .hasSizeGreaterThan(15)
                .contains(
                        new Route(HttpMethod.POST, "/v1/chat/completions"),
                        new Route(HttpMethod.DELETE, "/admin/keys/x1"),
                        new Route(HttpMethod.GET, "/actuator/prometheus"));
        List<String> leaks = new ArrayList<>();
        Set<String> publicRoutes = new TreeSet<>();
        int checked = 0;
        for (Route route : routes) {
            for (String spelling : spellings(route.path())) {
                boolean plain = spelling.equals(route.path());
                for (Map.Entry<String, String> credential : credentials.entrySet()) {
                    int status = send(route.method(), spelling, credential.getValue());
                    checked++;
                    if (status == 401) {
                        continue;
                    }
                    if (plain && AccessPolicy.decide(route.method(), spelling) == AccessPolicy.Access.PUBLIC) {
                        publicRoutes.add(route.method() + " " + route.path());
                    } else {
                        leaks.add(route.method() + " " + spelling + " with " + credential.getKey() + " -> " + status);
                    }
                }
            }
        }
        assertThat(leaks)
                .as("requests answered without a valid credential (of %d checked)", checked)
                .isEmpty();
        assertThat(publicRoutes)
                .as("what answers without a key")
                .containsExactlyInAnyOrder(
                        "GET /",
                        "GET /index.html",
                        "GET /app.js",
                        "GET /compose.js",
                        "GET /gallery.js",
                        "GET /markdown.js",
                        "GET /style.css",
                        "GET /actuator/health",
                        "GET /actuator/health/liveness",
                        "GET /actuator/health/readiness",
                        "GET /v1/gallery/images/x1/content",
                        "GET /v1/images/x1/content");
    }

    @Test
    void aValidKeyPassesEveryKeyRoute_andOnlyTheAdminTokenPassesAdminRoutes() throws IOException {
        String key = "Bearer " + newKey();
        List<String> wrong = new ArrayList<>();
        for (Route route : servedRoutes()) {
            AccessPolicy.Access access = AccessPolicy.decide(route.method(), route.path());
            int withKey = send(route.method(), route.path(), key);
            int withAdmin = send(route.method(), route.path(), "Bearer " + ADMIN_TOKEN);
            boolean ok = switch (access) {
                case PUBLIC -> withKey != 401 && withAdmin != 401;
                case API_KEY -> withKey != 401 && withAdmin == 401;
                case ADMIN -> withKey == 401 && withAdmin != 401;
            };
            if (!ok) {
                wrong.add(route + " " + access + ": key -> " + withKey + ", admin token -> " + withAdmin);
            }
        }
        assertThat(wrong).isEmpty();
    }

    @Test
    void theIssuesExamplesNeedAKey() {
        for (String path : List.of(
                "/v1;a/models",
                "/v1%2Fmodels",
                "/V1/models",
                "//v1/models",
                "/v1/./models",
                "/v1;a/gallery/search",
                "/v1;x/compositions",
                "/v1;a/chat/completions",
                "/admin;a/keys",
                "/v1/gallery/images/x1/content;a",
                "/v1/gallery/images/x1%2Fcontent",
                "/actuator;a/env")) {
            for (HttpMethod method : List.of(HttpMethod.GET, HttpMethod.POST)) {
                assertThat(send(method, path, "")).as(method + " " + path).isEqualTo(401);
            }
        }
    }

    /** The router's routes with path variables filled in, the actuator's endpoints, and the static files. */
    private Set<Route> servedRoutes() throws IOException {
        Set<Route> routes = new LinkedHashSet<>();
        for (RouterFunction<ServerResponse> router : routers) {
            router.accept(new RouteCollector(routes));
        }
        String actuator = client().get()
                .uri("/actuator")
                .header("Authorization", "Bearer " + ADMIN_TOKEN)
                .exchange()
                .expectStatus()
                .isOk()
                .expectBody(String.class)
                .returnResult()
                .getResponseBody();
        Matcher href = Pattern.compile("\"href\":\"https?://[^/\"]+(/[^\"]*)\"").matcher(actuator);
        while (href.find()) {
            routes.add(new Route(HttpMethod.GET, concrete(href.group(1))));
        }
        for (Resource file : new PathMatchingResourcePatternResolver().getResources("classpath:static/*")) {
            routes.add(new Route(HttpMethod.GET, "/" + file.getFilename()));
        }
        // Paths inside the wildcard routes and templated actuator links above, which the public ones are.
        for (String inside : List.of(
                "/actuator/health/liveness",
                "/actuator/health/readiness",
                "/v1/gallery/images/x1/content",
                "/v1/images/x1/content")) {
            routes.add(new Route(HttpMethod.GET, inside));
        }
        return routes;
    }

    /** The plain path and the spellings that a lenient router might map onto the same handler. */
    static List<String> spellings(String path) {
        List<String> spellings = new ArrayList<>(
                List.of(path, "//" + path.substring(1), path + "/", path.toUpperCase(), path + ";a", "/." + path));
        int second = path.indexOf('/', 1);
        if (second > 0) {
            String first = path.substring(0, second);
            String rest = path.substring(second);
            spellings.addAll(List.of(
                    first + ";a" + rest,
                    first + "%2F" + rest.substring(1),
                    first + "/." + rest,
                    first + "/x/.." + rest,
                    first + "%2f" + rest.substring(1),
                    first + "%252F" + rest.substring(1),
                    first + "/%2e" + rest,
                    first + ";jsessionid=1" + rest));
            if (rest.length() > 1) {
                spellings.add(first + "/%" + Integer.toHexString(rest.charAt(1)) + rest.substring(2));
            }
        }
        return spellings;
    }

    private int send(HttpMethod method, String rawPath, String authorization) {
        // A URI object, not a template string: the client must send the spelling as it is, escapes included.
        WebTestClient.RequestBodySpec request = client().mutate()
                .responseTimeout(Duration.ofSeconds(10))
                .build()
                .method(method)
                .uri(URI.create("http://127.0.0.1:" + port + rawPath))
                .contentType(MediaType.APPLICATION_JSON);
        if (!authorization.isEmpty()) {
            request.header("Authorization", authorization);
        }
        WebTestClient.RequestHeadersSpec<?> withBody = method == HttpMethod.POST ? request.bodyValue("{}") : request;
        try {
            return withBody.exchange().returnResult(byte[].class).getStatus().value();
        } catch (IllegalStateException timeout) {
            throw new AssertionError(method + " " + rawPath + " with '" + authorization + "' got no answer", timeout);
        }
    }

    private static String concrete(String template) {
        return TEMPLATE_VARIABLE.matcher(template.replace("/**", "/x1/x2")).replaceAll("x1");
    }

    record Route(HttpMethod method, String path) {
        @Override
        public String toString() {
            return method + " " + path;
        }
    }

    /** Reads each route's methods and path patterns from its predicate tree; no method predicate means any method. */
    private static final class RouteCollector implements RouterFunctions.Visitor, RequestPredicates.Visitor {

        private final Set<Route> routes;
        private final Set<HttpMethod> methods = new LinkedHashSet<>();
        private final Set<String> paths = new LinkedHashSet<>();

        RouteCollector(Set<Route> routes) {
            this.routes = routes;
        }

        @Override
        public void route(RequestPredicate predicate, HandlerFunction<?> handler) {
            methods.clear();
            paths.clear();
            predicate.accept(this);
            for (String path : paths) {
                for (HttpMethod method : methods.isEmpty() ? ANY_METHOD : methods) {
                    routes.add(new Route(method, concrete(path)));
                }
            }
        }

        @Override
        public void method(Set<HttpMethod> predicateMethods) {
            methods.addAll(predicateMethods);
        }

        @Override
        public void path(String pattern) {
            paths.add(pattern);
        }

        // The rest of the predicate tree does not change which method and path a route answers.
        @Override
        public void startNested(RequestPredicate predicate) {}

        @Override
        public void endNested(RequestPredicate predicate) {}

        @Override
        public void resources(
                java.util.function.Function<
                                org.springframework.web.reactive.function.server.ServerRequest,
                                reactor.core.publisher.Mono<Resource>>
                        lookup) {}

        @Override
        public void attributes(Map<String, Object> attributes) {}

        @Override
        public void unknown(RouterFunction<?> routerFunction) {
            throw new IllegalStateException("a router this test cannot read: " + routerFunction);
        }

        @Override
        public void pathExtension(String extension) {}

        @Override
        public void header(String name, String value) {}

        @Override
        public void queryParam(String name, String value) {}

        @Override
        public void version(String version) {}

        @Override
        public void startAnd() {}

        @Override
        public void and() {}

        @Override
        public void endAnd() {}

        @Override
        public void startOr() {}

        @Override
        public void or() {}

        @Override
        public void endOr() {}

        @Override
        public void startNegate() {}

        @Override
        public void endNegate() {}

        @Override
        public void unknown(RequestPredicate predicate) {
            throw new IllegalStateException("a predicate this test cannot read: " + predicate);
        }
    }
}
