package io.xcomposer.inference.server.grpc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.protobuf.ByteString;
import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.xcomposer.inference.client.ServiceTokenMetadata;
import io.xcomposer.inference.grpc.GRPCInferenceServiceGrpc;
import io.xcomposer.inference.grpc.GRPCInferenceServiceGrpc.GRPCInferenceServiceBlockingStub;
import io.xcomposer.inference.grpc.ModelInferRequest;
import io.xcomposer.inference.grpc.ServerLiveRequest;
import java.util.concurrent.TimeUnit;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;

/**
 * The endpoint's own settings as Spring gRPC applies them (service-token check, message size limit, port 0), over
 * real TCP with plain grpc-java stubs rather than the platform's client, so that nothing of the client's hides a gap.
 */
@SpringBootTest(
        webEnvironment = SpringBootTest.WebEnvironment.NONE,
        properties = {
            "xcomposer.server.repository=src/test/resources/fixture-repo",
            "xcomposer.server.grpc-port=0",
            "xcomposer.server.service-token=" + GrpcEndpointIntegrationTests.TOKEN,
            "xcomposer.server.max-inbound-message-bytes=" + GrpcEndpointIntegrationTests.LIMIT
        })
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class GrpcEndpointIntegrationTests {

    static final String TOKEN = "st-endpoint-test";
    static final int LIMIT = 1024 * 1024;

    @Autowired
    private GrpcEndpoint endpoint;

    private ManagedChannel channel;

    @BeforeAll
    void connect() {
        channel = NettyChannelBuilder.forAddress("127.0.0.1", endpoint.port())
                .usePlaintext()
                .build();
    }

    @AfterAll
    void disconnect() throws InterruptedException {
        channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    }

    private GRPCInferenceServiceBlockingStub stub(@Nullable String token) {
        GRPCInferenceServiceBlockingStub stub =
                GRPCInferenceServiceGrpc.newBlockingStub(channel).withDeadlineAfter(10, TimeUnit.SECONDS);
        return token == null ? stub : stub.withInterceptors(ServiceTokenMetadata.clientInterceptor(token));
    }

    private static Status.Code codeOf(Runnable call) {
        try {
            call.run();
        } catch (StatusRuntimeException e) {
            return e.getStatus().getCode();
        }
        return Status.Code.OK;
    }

    @Test
    void callsWithoutTheRightServiceTokenAreUnauthenticated() {
        ServerLiveRequest live = ServerLiveRequest.getDefaultInstance();
        assertThat(codeOf(() -> stub(null).serverLive(live))).isEqualTo(Status.Code.UNAUTHENTICATED);
        assertThat(codeOf(() -> stub("wrong").serverLive(live))).isEqualTo(Status.Code.UNAUTHENTICATED);
        assertThat(stub(TOKEN).serverLive(live).getLive()).isTrue();
    }

    @Test
    void requestsAboveTheConfiguredMessageSizeAreRefusedAndSmallerOnesReachTheService() {
        assertThat(codeOf(() -> stub(TOKEN).modelInfer(inferRequestOf(2 * LIMIT))))
                .isEqualTo(Status.Code.RESOURCE_EXHAUSTED);
        // Under the limit the service itself answers, about the model it does not have.
        assertThatThrownBy(() -> stub(TOKEN).modelInfer(inferRequestOf(LIMIT / 2)))
                .isInstanceOfSatisfying(
                        StatusRuntimeException.class,
                        e -> assertThat(e.getStatus().getDescription()).contains("no_such_model"));
    }

    private static ModelInferRequest inferRequestOf(int bytes) {
        return ModelInferRequest.newBuilder()
                .setModelName("no_such_model")
                .addRawInputContents(ByteString.copyFrom(new byte[bytes]))
                .build();
    }
}
