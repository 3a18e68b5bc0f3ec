package io.xcomposer.gateway.web;

import io.xcomposer.common.web.RequestPaths;
import java.util.List;
import org.jspecify.annotations.Nullable;
import org.springframework.http.HttpMethod;
import org.springframework.http.server.PathContainer;
import org.springframework.web.util.pattern.PathPattern;
import org.springframework.web.util.pattern.PathPatternParser;

/**
 * Which edge policies a request gets, from one table of routes (method + path pattern, first match wins) instead of
 * path checks inside each filter. Matched on the normalized path ({@link RequestPaths#normalized}), so odd spellings
 * of a path get its policies. Who may call a route is {@code auth.AccessPolicy}'s separate, default-deny table.
 *
 * @param chatBody the body may be as large as {@code limits.chat-max-body} (base64 images inside the JSON) rather
 *     than {@code limits.max-body}
 * @param requestRate the key's request rate applies
 * @param tokenBudget the key's token budget applies (the call spends model tokens)
 */
public record EdgePolicy(boolean chatBody, boolean requestRate, boolean tokenBudget) {

    /** Everything not in the table: the default body limit and the request rate, no token budget. */
    static final EdgePolicy DEFAULT = new EdgePolicy(false, true, false);

    private static final PathPatternParser PARSER = new PathPatternParser();
    private static final List<Route> ROUTES = List.of(
            new Route(HttpMethod.POST, "/v1/chat/completions", new EdgePolicy(true, true, true)),
            new Route(null, "/v1/chat/**", new EdgePolicy(true, true, false)),
            new Route(HttpMethod.POST, "/v1/completions", new EdgePolicy(false, true, true)),
            new Route(HttpMethod.POST, "/v1/compositions", new EdgePolicy(false, true, true)),
            new Route(HttpMethod.POST, "/v1/embeddings", new EdgePolicy(false, true, true)),
            // A client must always be able to pick up a stream it already paid for.
            new Route(null, "/v1/streams/**", new EdgePolicy(false, false, false)));

    /** The policies of a request; {@code rawPath} as it arrived. */
    public static EdgePolicy of(@Nullable HttpMethod method, String rawPath) {
        PathContainer path = PathContainer.parsePath(RequestPaths.normalized(rawPath));
        for (Route route : ROUTES) {
            if ((route.method == null || route.method.equals(method)) && route.pattern.matches(path)) {
                return route.policy;
            }
        }
        return DEFAULT;
    }

    private record Route(@Nullable HttpMethod method, PathPattern pattern, EdgePolicy policy) {

        Route(@Nullable HttpMethod method, String pattern, EdgePolicy policy) {
            this(method, PARSER.parse(pattern), policy);
        }
    }
}
