package io.xcomposer.gateway.web;

import static org.assertj.core.api.Assertions.assertThat;

import io.xcomposer.gateway.support.GatewayIntegrationTest;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

/**
 * A client that sends its whole body before it reads (Python's urllib, most simple clients) must read the 413, not a
 * connection reset. Guards the bound on how much of a refused body the error handler drains (a drain that stopped
 * part-way by closing the connection would reset this client).
 */
class OversizedBodyIntegrationTests extends GatewayIntegrationTest {

    /** Well over the 2 MB chat limit of the test gateway, and more than loopback socket buffers absorb. */
    private static final int OVER_THE_LIMIT = 24 * 1024 * 1024;

    @Test
    void aClientThatUploadsEverythingFirstReadsThe413() throws IOException {
        String key = newKey();
        byte[] body = new byte[OVER_THE_LIMIT];
        Arrays.fill(body, (byte) 'a');
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress("127.0.0.1", port), 5_000);
            socket.setSoTimeout(20_000);
            OutputStream out = socket.getOutputStream();
            out.write(("POST /v1/chat/completions HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer " + key
                            + "\r\nContent-Type: application/json\r\nContent-Length: " + body.length + "\r\n\r\n")
                    .getBytes(StandardCharsets.US_ASCII));
            for (int offset = 0; offset < body.length; offset += 64 * 1024) {
                out.write(body, offset, Math.min(64 * 1024, body.length - offset));
            }
            out.flush();
            String response = readHead(socket.getInputStream());
            assertThat(response).startsWith("HTTP/1.1 413");
        }
    }

    private static String readHead(InputStream in) throws IOException {
        ByteArrayOutputStream head = new ByteArrayOutputStream();
        int b;
        while ((b = in.read()) >= 0 && head.size() < 8192) {
            head.write(b);
            if (head.toString(StandardCharsets.US_ASCII).endsWith("\r\n\r\n")) {
                break;
            }
        }
        return head.toString(StandardCharsets.US_ASCII);
    }
}
