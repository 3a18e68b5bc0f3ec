package io.xcomposer.common.fetch;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.concurrent.atomic.AtomicInteger;
import javax.net.ServerSocketFactory;
import mockwebserver3.Dispatcher;
import mockwebserver3.MockResponse;
import mockwebserver3.MockWebServer;
import mockwebserver3.RecordedRequest;
import okio.Buffer;

/**
 * An OkHttp {@link MockWebServer} on loopback that also counts the TCP connections it accepts, so a test proves that
 * a blocked URL was never connected to — not merely that no HTTP request arrived.
 */
final class LoopbackRecorder implements AutoCloseable {

    private final MockWebServer server = new MockWebServer();

    private final AtomicInteger connections = new AtomicInteger();

    private LoopbackRecorder() {}

    /** Starts a server that gives every request {@code response}. */
    static LoopbackRecorder answering(MockResponse response) throws IOException {
        LoopbackRecorder recorder = new LoopbackRecorder();
        recorder.server.setServerSocketFactory(new CountingServerSockets(recorder.connections));
        recorder.server.setDispatcher(new Dispatcher() {
            @Override
            public MockResponse dispatch(RecordedRequest request) {
                return response;
            }
        });
        recorder.server.start(InetAddress.getLoopbackAddress(), 0);
        return recorder;
    }

    static MockResponse respond(int status, byte[] body) {
        return new MockResponse.Builder()
                .code(status)
                .body(new Buffer().write(body))
                .build();
    }

    int port() {
        return this.server.getPort();
    }

    String origin() {
        return "http://127.0.0.1:" + port();
    }

    /** HTTP requests received. */
    int hits() {
        return this.server.getRequestCount();
    }

    /** TCP connections accepted, with or without a request on them. */
    int connections() {
        return this.connections.get();
    }

    @Override
    public void close() {
        this.server.close();
    }

    /** Server sockets whose {@code accept()} counts each connection. */
    private static final class CountingServerSockets extends ServerSocketFactory {

        private final AtomicInteger accepted;

        CountingServerSockets(AtomicInteger accepted) {
            this.accepted = accepted;
        }

        @Override
        public ServerSocket createServerSocket() throws IOException {
            return new ServerSocket() {
                @Override
                public Socket accept() throws IOException {
                    Socket socket = super.accept();
                    CountingServerSockets.this.accepted.incrementAndGet();
                    return socket;
                }
            };
        }

        @Override
        public ServerSocket createServerSocket(int port) throws IOException {
            throw new UnsupportedOperationException("MockWebServer binds the socket itself");
        }

        @Override
        public ServerSocket createServerSocket(int port, int backlog) throws IOException {
            throw new UnsupportedOperationException("MockWebServer binds the socket itself");
        }

        @Override
        public ServerSocket createServerSocket(int port, int backlog, InetAddress address) throws IOException {
            throw new UnsupportedOperationException("MockWebServer binds the socket itself");
        }
    }
}
