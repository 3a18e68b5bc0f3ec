package io.xcomposer.gateway.downstream;

import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatusCode;

/** A downstream answered with an error status before any body was relayed; the gateway passes it on. */
public class DownstreamStatusException extends RuntimeException {

    private final HttpStatusCode status;
    private final HttpHeaders headers;
    private final String body;

    public DownstreamStatusException(HttpStatusCode status, HttpHeaders headers, String body) {
        super("Downstream answered " + status.value());
        this.status = status;
        this.headers = headers;
        this.body = body;
    }

    public HttpStatusCode status() {
        return status;
    }

    public HttpHeaders headers() {
        return headers;
    }

    public String body() {
        return body;
    }
}
