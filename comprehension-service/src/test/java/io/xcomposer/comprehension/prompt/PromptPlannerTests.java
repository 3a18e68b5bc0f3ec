package io.xcomposer.comprehension.prompt;

import java.util.List;

import io.xcomposer.common.error.ApiException;
import io.xcomposer.comprehension.config.ModelSpecs;
import io.xcomposer.comprehension.vision.ImageInput;
import io.xcomposer.inference.client.model.ChatTemplate;
import io.xcomposer.inference.client.model.LlmSpec;
import io.xcomposer.inference.client.model.VisionSpec;
import org.junit.jupiter.api.Test;
import reactor.core.publisher.Mono;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

class PromptPlannerTests {

	private static final ChatTemplate TINY = new ChatTemplate("", " <|User|>:", "\n<eoh>", " <|Bot|>:", "<eoa>\n",
			"before_text", "<ImageHere>");

	private static final ImageInput IMAGE = new ImageInput("ab", Mono.empty(), "messages[0]");

	@Test
	void rendersHistoryExactlyAsTheModelWasTrained() {
		PromptPlan plan = planner(512).plan(null, List.of(new PromptTurn("What colour is the circle?", List.of(IMAGE),
				"Red."), new PromptTurn("Where is it?", List.of(), null)), 64, Integer.MAX_VALUE);

		assertThat(plan.prompt()).isEqualTo(" <|User|>:<ImageHere>What colour is the circle?\n<eoh> <|Bot|>:Red.<eoa>\n"
				+ " <|User|>:Where is it?\n<eoh> <|Bot|>:");
		assertThat(plan.images()).containsExactly(IMAGE);
		assertThat(plan.historyTurns()).isEqualTo(1);
	}

	@Test
	void dropsTheOldestTurnsFirstToFit() {
		List<PromptTurn> turns = List.of(new PromptTurn("first question " + "x".repeat(100), List.of(IMAGE), "A."),
				new PromptTurn("second question", List.of(), "B."), new PromptTurn("third question", List.of(), null));

		PromptPlan plan = planner(200).plan(null, turns, 64, Integer.MAX_VALUE);

		assertThat(plan.droppedTurns()).isEqualTo(1);
		assertThat(plan.prompt()).doesNotContain("first question").contains("second question").endsWith(" <|Bot|>:");
		assertThat(plan.images()).isEmpty();
	}

	@Test
	void refusesALastTurnThatCannotFit() {
		ApiException tooLong = catchThrowableOfType(ApiException.class, () -> planner(512).plan(null,
				List.of(new PromptTurn("y".repeat(600), List.of(), null)), 64, Integer.MAX_VALUE));

		assertThat(tooLong.code()).isEqualTo("context_length_exceeded");
		assertThat(tooLong.getMessage()).contains("512-token context").contains("reserving 64");
	}

	@Test
	void calibrationFromServerCountsLetsMoreHistoryFit() {
		TokenEstimator estimator = estimator();
		int before = estimator.estimate(400, 1);

		estimator.observe(400, 1, 1 + 18 + 120);

		assertThat(estimator.estimate(400, 1)).isLessThan(before);
	}

	private static PromptPlanner planner(int contextLength) {
		return new PromptPlanner(specs(contextLength), estimator());
	}

	private static TokenEstimator estimator() {
		return new TokenEstimator(specs(512));
	}

	private static ModelSpecs specs(int contextLength) {
		LlmSpec llm = new LlmSpec(contextLength, 256, 18, 256, List.of("<eoa>", "</s>"), TINY);
		VisionSpec vision = new VisionSpec(64, "bicubic", new float[] { 0.5f, 0.5f, 0.5f },
				new float[] { 0.25f, 0.25f, 0.25f }, 18, 256);
		return new ModelSpecs(llm, vision, 16, "test");
	}

}
