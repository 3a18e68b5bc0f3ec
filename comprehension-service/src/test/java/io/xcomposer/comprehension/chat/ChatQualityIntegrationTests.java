package io.xcomposer.comprehension.chat;

import java.util.List;

import io.xcomposer.comprehension.support.Chat;
import io.xcomposer.comprehension.support.HeldOut;
import io.xcomposer.comprehension.support.IntegrationTest;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.test.web.reactive.server.WebTestClient;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Captions and VQA on held-out scenes, in English and Chinese, through the whole service: the answers must match
 * the evaluation set's exactly. A fixed set (the first 12 items of each task), scored against a floor, since the tiny
 * model is right about 85 % (captions) and 70–80 % (VQA) of the time in its own evaluation; chance is far lower.
 */
@IntegrationTest
class ChatQualityIntegrationTests {

	private static final int ITEMS = 12;

	@Autowired
	private WebTestClient client;

	@ParameterizedTest(name = "{0} {1}")
	@CsvSource({ "caption, en, 9", "caption, zh, 9", "vqa, en, 6", "vqa, zh, 6" })
	void answersHeldOutScenes(String task, String lang, int floor) {
		List<HeldOut> items = HeldOut.first(task, lang, ITEMS);
		int right = 0;
		StringBuilder report = new StringBuilder();
		for (HeldOut item : items) {
			String answer = Chat.answer(Chat.complete(this.client, Chat.request(null,
					Chat.user(Chat.image(HeldOut.dataUrl(item.images().get(0))), Chat.text(item.questions().get(0))))));
			if (answer.equals(item.answer())) {
				right++;
			}
			report.append("\n#").append(item.id()).append(' ').append(item.questions().get(0)).append(" → ")
				.append(answer).append(" (expected ").append(item.answer()).append(')');
		}
		assertThat(right).as("right answers out of %d:%s", items.size(), report).isGreaterThanOrEqualTo(floor);
	}

}
