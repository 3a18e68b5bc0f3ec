package io.xcomposer.comprehension.support;

import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Two loopback HTTP servers: a "redirector", exempted from the fetch checks for the tests, that answers every
 * request with a redirect to the "target", which is not exempted and counts its hits (which must stay zero).
 */
public final class RedirectingServer {

    private static RedirectingServer instance;

    private final HttpServer redirector;

    private final HttpServer target;

    private final AtomicInteger targetHits = new AtomicInteger();

    private RedirectingServer() throws IOException {
        InetSocketAddress loopback = new InetSocketAddress(InetAddress.getLoopbackAddress(), 0);
        this.target = HttpServer.create(loopback, 0);
        this.target.createContext("/", exchange -> {
            this.targetHits.incrementAndGet();
            exchange.sendResponseHeaders(200, -1);
            exchange.close();
        });
        this.redirector = HttpServer.create(loopback, 0);
        this.redirector.createContext("/", exchange -> {
            exchange.getResponseHeaders()
                    .set(
                            "Location",
                            "https://127.0.0.1:" + this.target.getAddress().getPort() + "/secret.png");
            exchange.sendResponseHeaders(302, -1);
            exchange.close();
        });
        this.target.start();
        this.redirector.start();
    }

    public static synchronized RedirectingServer get() {
        if (instance == null) {
            try {
                instance = new RedirectingServer();
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        return instance;
    }

    public String origin() {
        return "http://127.0.0.1:" + this.redirector.getAddress().getPort();
    }

    public int targetHits() {
        return this.targetHits.get();
    }
}
