package io.xcomposer.common.web;

import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.Locale;

/**
 * Access decisions on request paths. A router and a filter can disagree on what a raw path means: WebFlux matches
 * routes on percent-decoded segments with {@code ;parameters} dropped, so {@code /v1;a/models} reaches the
 * {@code /v1/models} handler while a prefix check on the raw string sees something else. Filters therefore decide on
 * {@link #normalized(String)}, a form at least as general as any router's, and let an allowlist match only paths
 * that are {@link #isPlain(String) plain}, so no spelling of a protected path can look public.
 */
public final class RequestPaths {

    private static final int MAX_DECODE_ROUNDS = 3;

    private RequestPaths() {}

    /**
     * The raw path reduced to what any router could take it for: percent escapes decoded (repeatedly, so double
     * encoding does not hide a slash), {@code ;parameters} dropped from every segment, backslashes read as slashes,
     * empty and {@code .} segments removed, {@code ..} resolved (never above the root), lower case.
     */
    public static String normalized(String rawPath) {
        String decoded = rawPath == null ? "" : rawPath;
        for (int round = 0; round < MAX_DECODE_ROUNDS && decoded.indexOf('%') >= 0; round++) {
            decoded = decodeLeniently(decoded);
        }
        Deque<String> segments = new ArrayDeque<>();
        for (String segment : decoded.replace('\\', '/').split("/")) {
            int parameters = segment.indexOf(';');
            String name = parameters >= 0 ? segment.substring(0, parameters) : segment;
            if (name.isEmpty() || name.equals(".")) {
                continue;
            }
            if (name.equals("..")) {
                segments.pollLast();
                continue;
            }
            segments.addLast(name.toLowerCase(Locale.ROOT));
        }
        return "/" + String.join("/", segments);
    }

    /**
     * Whether the raw path is already in its one plain spelling: starts with a slash, and has no percent escapes,
     * {@code ;parameters}, backslashes, empty segments (other than a single trailing slash of the root) or dot
     * segments.
     */
    public static boolean isPlain(String rawPath) {
        if (rawPath == null || rawPath.isEmpty() || rawPath.charAt(0) != '/') {
            return false;
        }
        if (rawPath.equals("/")) {
            return true;
        }
        for (int i = 0; i < rawPath.length(); i++) {
            char c = rawPath.charAt(i);
            if (c == '%' || c == ';' || c == '\\' || c < 0x21 || c > 0x7e) {
                return false;
            }
        }
        for (String segment : rawPath.substring(1).split("/", -1)) {
            if (segment.isEmpty() || segment.equals(".") || segment.equals("..")) {
                return false;
            }
        }
        return true;
    }

    private static String decodeLeniently(String value) {
        try {
            // URLDecoder turns '+' into a space, which paths do not mean; keep it literal.
            return URLDecoder.decode(value.replace("+", "%2B"), StandardCharsets.UTF_8);
        } catch (IllegalArgumentException malformed) {
            // A broken escape cannot be routed either; what matters is that it is never public (see isPlain).
            return value;
        }
    }
}
