package io.xcomposer.comprehension.chat;

import static org.assertj.core.api.Assertions.assertThat;

import io.xcomposer.comprehension.support.Chat;
import io.xcomposer.comprehension.support.HeldOut;
import io.xcomposer.comprehension.support.IntegrationTest;
import io.xcomposer.comprehension.support.TestModelServer;
import io.xcomposer.testsupport.RedisServerProcess;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.core.io.FileSystemResource;
import org.springframework.http.MediaType;
import org.springframework.http.client.MultipartBodyBuilder;
import org.springframework.test.web.reactive.server.WebTestClient;
import org.springframework.web.reactive.function.BodyInserters;
import tools.jackson.databind.JsonNode;

/** Multi-turn conversations, the feature cache, multi-image prompts and uploaded image ids. */
@IntegrationTest
class ConversationIntegrationTests {

    private static final int IMAGE_TOKENS = 18;

    @Autowired
    private WebTestClient client;

    @Test
    void followUpsUseTheHistoryAndMakeNoEncoderCalls() {
        List<HeldOut> items = HeldOut.first("multiturn", "en", 8);
        int right = 0;
        StringBuilder report = new StringBuilder();
        for (HeldOut item : items) {
            JsonNode first = Chat.complete(
                    this.client,
                    Chat.request(
                            null,
                            Chat.user(
                                    Chat.image(HeldOut.dataUrl(item.images().get(0))),
                                    Chat.text(item.questions().get(0)))));
            String conversation = first.get("conversation_id").asString();
            double encoderCalls = TestModelServer.visionEncoderExecutions();

            JsonNode followUp = Chat.complete(
                    this.client,
                    Chat.request(
                            conversation, Chat.user(Chat.text(item.questions().get(1)))));

            assertThat(TestModelServer.visionEncoderExecutions())
                    .as("encoder calls on the second turn")
                    .isEqualTo(encoderCalls);
            assertThat(followUp.at("/usage/prompt_tokens").asInt())
                    .as("history with its image is in the prompt")
                    .isGreaterThan(first.at("/usage/prompt_tokens").asInt()
                            + first.at("/usage/completion_tokens").asInt());
            assertThat(followUp.get("conversation_id").asString()).isEqualTo(conversation);
            if (Chat.answer(followUp).equals(item.answer())) {
                right++;
            }
            report.append("\n#")
                    .append(item.id())
                    .append(' ')
                    .append(item.questions())
                    .append(" → ")
                    .append(Chat.answer(followUp))
                    .append(" (expected ")
                    .append(item.answer())
                    .append(')');
        }
        assertThat(right)
                .as("follow-ups answered right out of %d:%s", items.size(), report)
                .isGreaterThanOrEqualTo(5);
    }

    @Test
    void theSameImageInAnotherConversationHitsTheCache() {
        String image = HeldOut.dataUrl(HeldOut.image("00050-0.png"));
        Chat.complete(this.client, Chat.request(null, Chat.user(Chat.image(image), Chat.text("Describe the image."))));
        double encoderCalls = TestModelServer.visionEncoderExecutions();

        JsonNode other = Chat.complete(
                this.client, Chat.request(null, Chat.user(Chat.image(image), Chat.text("What is in this picture?"))));

        assertThat(TestModelServer.visionEncoderExecutions()).isEqualTo(encoderCalls);
        assertThat(Chat.answer(other)).isNotBlank();
    }

    @Test
    void aNewImageIsEncodedOnceAndCachedInRedis() {
        RedisServerProcess redis = RedisServerProcess.shared();
        double encoderCalls = TestModelServer.visionEncoderExecutions();

        Chat.complete(
                this.client,
                Chat.request(
                        null,
                        Chat.user(
                                Chat.image(HeldOut.dataUrl(HeldOut.image("00051-0.png"))),
                                Chat.text("Describe the image."))));

        assertThat(TestModelServer.visionEncoderExecutions()).isEqualTo(encoderCalls + 1);
        assertThat(redis.command("EVAL", "return#redis.call('keys','xc:vf:vision_encoder:*')", "0"))
                .as("feature cache entries")
                .isNotEqualTo(":0");
    }

    @Test
    void multiImagePromptsCarryEveryImageAndFollowUpsCanAddOne() {
        HeldOut item = HeldOut.first("multi_image", "en", 1).get(0);
        Object[] parts = new Object[item.images().size() + 1];
        for (int i = 0; i < item.images().size(); i++) {
            parts[i] = Chat.image(HeldOut.dataUrl(item.images().get(i)));
        }
        parts[item.images().size()] = Chat.text(item.questions().get(0));

        JsonNode first = Chat.complete(this.client, Chat.request(null, Chat.user(parts)));

        int images = item.images().size();
        assertThat(first.at("/usage/prompt_tokens").asInt()).isGreaterThan(1 + images * IMAGE_TOKENS);
        HeldOut caption = HeldOut.first("caption", "en", 1).get(0);
        JsonNode followUp = Chat.complete(
                this.client,
                Chat.request(
                        first.get("conversation_id").asString(),
                        Chat.user(
                                Chat.image(HeldOut.dataUrl(caption.images().get(0))),
                                Chat.text(caption.questions().get(0)))));
        assertThat(followUp.at("/usage/prompt_tokens").asInt())
                .as("all earlier images stay in the prompt")
                .isGreaterThan(1 + (images + 1) * IMAGE_TOKENS);
        assertThat(Chat.answer(followUp)).isNotBlank();
    }

    @Test
    void aTypedImagePlaceholderIsPlainTextNotAnImageSlot() {
        String image = HeldOut.dataUrl(HeldOut.image("00053-0.png"));

        JsonNode typed = Chat.complete(
                this.client,
                Chat.request(null, Chat.user(Chat.image(image), Chat.text("What is <ImageHere> in this picture?"))));
        JsonNode plain = Chat.complete(
                this.client, Chat.request(null, Chat.user(Chat.image(image), Chat.text("What is  in this picture?"))));

        assertThat(typed.at("/usage/prompt_tokens").asInt())
                .isEqualTo(plain.at("/usage/prompt_tokens").asInt());
        assertThat(Chat.answer(typed)).isEqualTo(Chat.answer(plain)).isNotBlank();
    }

    @Test
    void uploadedImageIdsWorkInChat() {
        HeldOut item = HeldOut.first("caption", "en", 3).get(2);
        MultipartBodyBuilder form = new MultipartBodyBuilder();
        form.part("file", new FileSystemResource(item.images().get(0))).contentType(MediaType.IMAGE_PNG);
        JsonNode uploaded = this.client
                .post()
                .uri("/v1/images")
                .contentType(MediaType.MULTIPART_FORM_DATA)
                .body(BodyInserters.fromMultipartData(form.build()))
                .exchange()
                .expectStatus()
                .isOk()
                .expectBody(JsonNode.class)
                .returnResult()
                .getResponseBody();
        String id = uploaded.get("id").asString();
        assertThat(id).matches("img_[0-9a-f]{24}");
        assertThat(uploaded.get("format").asString()).isEqualTo("png");

        JsonNode byId = Chat.complete(
                this.client,
                Chat.request(
                        null,
                        Chat.user(Chat.image(id), Chat.text(item.questions().get(0)))));
        JsonNode inline = Chat.complete(
                this.client,
                Chat.request(
                        null,
                        Chat.user(
                                Chat.image(HeldOut.dataUrl(item.images().get(0))),
                                Chat.text(item.questions().get(0)))));

        assertThat(Chat.answer(byId)).isEqualTo(Chat.answer(inline));
    }

    @Test
    void jsonUploadReturnsTheSameContentId() {
        String dataUrl = HeldOut.dataUrl(HeldOut.image("00052-0.png"));
        JsonNode uploaded = this.client
                .post()
                .uri("/v1/images")
                .contentType(MediaType.APPLICATION_JSON)
                .bodyValue(Map.of("image", dataUrl))
                .exchange()
                .expectStatus()
                .isOk()
                .expectBody(JsonNode.class)
                .returnResult()
                .getResponseBody();

        assertThat(uploaded.get("id").asString()).matches("img_[0-9a-f]{24}");
        assertThat(RedisServerProcess.shared()
                        .command("EXISTS", "xc:img:" + uploaded.get("id").asString()))
                .isEqualTo(":1");
    }
}
